import type { ReactNode } from 'react';

/** A shape of an icon: a path's `d`, a circle (cx, cy, r) or a rounded rectangle (x, y, width, height, rx). */
type Shape =
  | string
  | { c: readonly [number, number, number] }
  | { r: readonly [number, number, number, number, number] };

const paths = {
  chart: ['M4 20h16', 'M7 16v-5', 'M12 16V6', 'M17 16v-8'],
  home: ['M3 10.5 12 3l9 7.5V20a1 1 0 0 1-1 1h-5v-6h-6v6H4a1 1 0 0 1-1-1z'],
  building: [
    'M4 21V5a1 1 0 0 1 1-1h9a1 1 0 0 1 1 1v16',
    'M15 9h4a1 1 0 0 1 1 1v11M2 21h20M8 8h3M8 12h3M8 16h3',
  ],
  users: [
    { c: [9, 8, 3.5] },
    'M2.5 20a6.5 6.5 0 0 1 13 0M16 4.6a3.5 3.5 0 0 1 0 6.8M18 14.2a6.5 6.5 0 0 1 3.5 5.8',
  ],
  audit: ['M12 3 4 6v6c0 4.5 3.4 8.2 8 9 4.6-.8 8-4.5 8-9V6z', 'm8.5 12 2.5 2.5 4.5-5'],
  user: [{ c: [12, 8, 4] }, 'M4 21a8 8 0 0 1 16 0'],
  logout: ['M15 4h4a1 1 0 0 1 1 1v14a1 1 0 0 1-1 1h-4M10 16l-4-4 4-4M6 12h10'],
  globe: [
    { c: [12, 12, 9] },
    'M3 12h18M12 3c2.5 2.6 3.8 5.6 3.8 9s-1.3 6.4-3.8 9c-2.5-2.6-3.8-5.6-3.8-9S9.5 5.6 12 3z',
  ],
  plus: ['M12 5v14M5 12h14'],
  search: [{ c: [11, 11, 6.5] }, 'm16 16 4.5 4.5'],
  copy: [
    { r: [9, 9, 11, 11, 1.5] },
    'M5 15H4.5A1.5 1.5 0 0 1 3 13.5v-9A1.5 1.5 0 0 1 4.5 3h9A1.5 1.5 0 0 1 15 4.5V5',
  ],
  check: ['m5 12.5 4.5 4.5L19 7.5'],
  alert: ['M12 3 2 20h20z', 'M12 10v4M12 17h.01'],
  info: [{ c: [12, 12, 9] }, 'M12 11v6M12 7.5h.01'],
  chevronDown: ['m6 9 6 6 6-6'],
  chevronLeft: ['m15 6-6 6 6 6'],
  chevronRight: ['m9 6 6 6-6 6'],
  key: [{ c: [8, 15, 4] }, 'm11 12 9-9M17 6l3 3M14.5 8.5l2 2'],
  lock: [{ r: [4.5, 10.5, 15, 10, 1.5] }, 'M8 10.5V7a4 4 0 0 1 8 0v3.5'],
  clock: [{ c: [12, 12, 9] }, 'M12 7v5l3 2'],
  edit: ['M4 20h4L19 9l-4-4L4 16zM13.5 6.5l4 4'],
  person: [
    { r: [3, 4.5, 18, 15, 2] },
    { c: [9, 10.5, 2.5] },
    'M5.5 16.5a3.5 3.5 0 0 1 7 0M15 9.5h3.5M15 13h3.5',
  ],
  merge: ['M7 4v4a4 4 0 0 0 4 4h2a4 4 0 0 1 4 4v4M17 4v4a4 4 0 0 1-4 4M4 7l3-3 3 3M14 7l3-3 3 3'],
  bell: ['M6 16V11a6 6 0 0 1 12 0v5l1.5 2h-15zM10 20.5a2 2 0 0 0 4 0'],
  eye: ['M2.5 12S6 5.5 12 5.5 21.5 12 21.5 12 18 18.5 12 18.5 2.5 12 2.5 12z', { c: [12, 12, 3] }],
  eyeOff: [
    'M3 3l18 18M10.6 6a9.9 9.9 0 0 1 1.4-.1c6 0 9.5 6.1 9.5 6.1a16 16 0 0 1-2.6 3.3M6.6 6.7C4 8.4 2.5 12 2.5 12S6 18.5 12 18.5c1.8 0 3.3-.5 4.6-1.3M9.9 9.9a3 3 0 0 0 4.2 4.2',
  ],
  consent: ['M7 3.5h7l4 4V20a.5.5 0 0 1-.5.5h-10A.5.5 0 0 1 7 20z', 'M14 3.5V8h4M9.5 14l2 2 3.5-4'],
  x: ['M6 6l12 12M18 6 6 18'],
} satisfies Record<string, readonly Shape[]>;

function shape(s: Shape): ReactNode {
  if (typeof s === 'string') return <path key={s} d={s} />;
  if ('c' in s) {
    const [cx, cy, r] = s.c;
    return <circle key={`c${s.c.join()}`} cx={cx} cy={cy} r={r} />;
  }
  const [x, y, width, height, rx] = s.r;
  return <rect key={`r${s.r.join()}`} x={x} y={y} width={width} height={height} rx={rx} />;
}

export type IconName = keyof typeof paths;

/** A small line icon. Decorative: the control carrying it has its own text. */
export function Icon({ name, size = 18, className }: { name: IconName; size?: number; className?: string }) {
  return (
    <svg
      className={className ? `icon ${className}` : 'icon'}
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.8"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {paths[name].map(shape)}
    </svg>
  );
}

export function BrandMark({ size = 32 }: { size?: number }) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 32 32"
      aria-hidden="true"
      focusable="false"
      className="brand-mark"
    >
      <rect width="32" height="32" rx="7" fill="#f4f1e8" />
      <path
        d="M16 6c-4.4 3.2-7 6.7-7 11a7 7 0 0 0 14 0c0-4.3-2.6-7.8-7-11z"
        fill="none"
        stroke="#0f4c5c"
        strokeWidth="2.4"
        strokeLinejoin="round"
      />
      <path
        d="M12.5 18.5 15 21l4.5-5"
        fill="none"
        stroke="#b7791f"
        strokeWidth="2.4"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}
