import { type ReactNode, useEffect, useRef } from 'react';
import { Link } from 'react-router';
import { Icon } from './Icon.js';

let firstPageShown = false;

/**
 * The page's one h1. It receives focus when the page opens after a navigation, so screen-reader and
 * keyboard users start at the new content; it also sets the document title.
 */
export function PageHeader({
  title,
  description,
  actions,
  back,
  meta,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
  back?: { to: string; label: string };
  meta?: ReactNode;
}) {
  const ref = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    document.title = `${title} · Halas`;
  }, [title]);

  useEffect(() => {
    if (firstPageShown) ref.current?.focus({ preventScroll: false });
    firstPageShown = true;
  }, []);

  return (
    <div className="page-header">
      {back ? (
        <Link to={back.to} className="back-link">
          <Icon name="chevronLeft" size={16} />
          {back.label}
        </Link>
      ) : null}
      <div className="page-header-row">
        <div className="page-header-text">
          <h1 ref={ref} tabIndex={-1} className="page-title" data-testid="page-title">
            {title}
          </h1>
          {meta ? <div className="page-meta">{meta}</div> : null}
          {description ? <p className="page-description">{description}</p> : null}
        </div>
        {actions ? <div className="page-actions">{actions}</div> : null}
      </div>
    </div>
  );
}
