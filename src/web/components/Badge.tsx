import type { ReactNode } from 'react';

export type Tone = 'neutral' | 'info' | 'success' | 'warning' | 'danger' | 'accent';

export function Badge({
  tone = 'neutral',
  children,
  testId,
}: {
  tone?: Tone;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <span className={`badge badge-${tone}`} data-testid={testId}>
      {children}
    </span>
  );
}

/** A row of badges of one tone, one for each item (an item is its own key). */
export function BadgeRow<I extends string>({
  items,
  label,
  tone = 'accent',
}: {
  items: readonly I[];
  label: (item: I) => ReactNode;
  tone?: Tone;
}) {
  return (
    <span className="badge-row">
      {items.map((item) => (
        <Badge key={item} tone={tone}>
          {label(item)}
        </Badge>
      ))}
    </span>
  );
}
