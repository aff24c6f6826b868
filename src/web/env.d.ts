/// <reference types="vite/client" />

declare module 'virtual:halas-tz-subset' {
  /** Time zones the subset carries. */
  export const zoneNames: string[];
  /** Packed data in the format `Intl.DateTimeFormat.__addTZData` accepts. */
  export const data: unknown;
}
