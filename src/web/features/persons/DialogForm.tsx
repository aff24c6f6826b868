import type { ReactNode } from 'react';
import type { FieldValues, UseFormReturn } from 'react-hook-form';
import { FormError } from '../../components/ErrorText.js';

/**
 * The form of a person's dialog (consent, override, break-the-glass): not validated by the browser, not
 * autocompleted (its text may name someone), and headed by the server's error with the issues that have
 * no field of their own (`shown` lists those that do).
 */
export function DialogForm<F extends FieldValues, B>({
  form,
  onValid,
  error,
  shown,
  children,
}: {
  form: UseFormReturn<F, unknown, B>;
  onValid: (body: B) => void;
  error: unknown;
  shown: string[];
  children: ReactNode;
}) {
  return (
    <form noValidate autoComplete="off" className="stack" onSubmit={form.handleSubmit(onValid)}>
      <FormError error={error} fields={shown} />
      {children}
    </form>
  );
}
