import { type ReactNode, useId } from 'react';

export function Card({
  title,
  description,
  actions,
  children,
  className,
  testId,
}: {
  title?: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
  testId?: string;
}) {
  const id = useId();
  return (
    <section
      className={className ? `card ${className}` : 'card'}
      aria-labelledby={title ? id : undefined}
      data-testid={testId}
    >
      {title || actions ? (
        <header className="card-header">
          <div>
            {title ? (
              <h2 id={id} className="card-title">
                {title}
              </h2>
            ) : null}
            {description ? <p className="card-description">{description}</p> : null}
          </div>
          {actions ? <div className="card-actions">{actions}</div> : null}
        </header>
      ) : null}
      <div className="card-body">{children}</div>
    </section>
  );
}

/** Label–value pairs, for a record's details. */
export function DetailList({ items }: { items: { label: ReactNode; value: ReactNode; key: string }[] }) {
  return (
    <dl className="detail-list">
      {items.map((item) => (
        <div key={item.key} className="detail-row">
          <dt>{item.label}</dt>
          <dd>{item.value}</dd>
        </div>
      ))}
    </dl>
  );
}
