import {
  type InputHTMLAttributes,
  type ReactNode,
  type Ref,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
  useId,
} from 'react';

interface FieldShellProps {
  id: string;
  label: ReactNode;
  hint?: ReactNode | undefined;
  error?: string | undefined;
  required?: boolean | undefined;
  className?: string | undefined;
  children: ReactNode;
}

function FieldShell({ id, label, hint, error, required, className, children }: FieldShellProps) {
  return (
    <div className={['field', error ? 'field-invalid' : '', className ?? ''].filter(Boolean).join(' ')}>
      <label htmlFor={id} className="field-label">
        {label}
        {required ? (
          <span className="required-mark" aria-hidden="true">
            {' '}
            *
          </span>
        ) : null}
      </label>
      {children}
      {hint ? (
        <div id={`${id}-hint`} className="field-hint">
          {hint}
        </div>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

function describedBy(id: string, hint: unknown, error: unknown): string | undefined {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

type Common = {
  label: ReactNode;
  hint?: ReactNode | undefined;
  error?: string | undefined;
  fieldClassName?: string | undefined;
};

/** The id, validity and description a field's control carries. */
interface ControlProps {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

type FieldProps<Attributes, E> = Common & Attributes & { ref?: Ref<E> };

/**
 * A labelled field around one control: the label, hint and error go to the field's frame; `render` draws
 * the control with everything else, plus the id, validity and description that tie it to the label.
 */
function LabelledControl<P extends Common & { id?: string | undefined; required?: boolean | undefined }>({
  props,
  render,
}: {
  props: P;
  render: (control: ControlProps & Omit<P, keyof Common | 'id'>) => ReactNode;
}) {
  const { label, hint, error, fieldClassName, id, ...rest } = props;
  const auto = useId();
  const fieldId = id ?? auto;
  return (
    <FieldShell
      id={fieldId}
      label={label}
      hint={hint}
      error={error}
      required={rest.required}
      className={fieldClassName}
    >
      {render({
        id: fieldId,
        'aria-invalid': error ? true : undefined,
        'aria-describedby': describedBy(fieldId, hint, error),
        ...rest,
      })}
    </FieldShell>
  );
}

export function TextField(props: FieldProps<InputHTMLAttributes<HTMLInputElement>, HTMLInputElement>) {
  return <LabelledControl props={props} render={(input) => <input className="input" {...input} />} />;
}

export function TextAreaField(
  props: FieldProps<TextareaHTMLAttributes<HTMLTextAreaElement>, HTMLTextAreaElement>,
) {
  return (
    <LabelledControl props={props} render={(input) => <textarea className="input textarea" {...input} />} />
  );
}

type SelectFieldProps = FieldProps<SelectHTMLAttributes<HTMLSelectElement>, HTMLSelectElement>;

export function SelectField(props: SelectFieldProps) {
  return (
    <LabelledControl props={props} render={(select) => <select className="input select" {...select} />} />
  );
}

/**
 * A select over a list of choices, each an `<option>` with its value and label; with `placeholder`, an
 * empty first option (nothing chosen yet).
 */
export function ChoiceField<V>({
  options,
  optionLabel,
  optionValue = String,
  placeholder,
  ...select
}: Omit<SelectFieldProps, 'children'> & {
  options: readonly V[];
  optionLabel: (option: V) => ReactNode;
  optionValue?: (option: V) => string;
  placeholder?: ReactNode;
}) {
  return (
    <SelectField {...select}>
      {placeholder === undefined ? null : <option value="">{placeholder}</option>}
      {options.map((option) => {
        const value = optionValue(option);
        return (
          <option key={value} value={value}>
            {optionLabel(option)}
          </option>
        );
      })}
    </SelectField>
  );
}

export function CheckboxField({
  label,
  hint,
  id,
  ref,
  ...input
}: { label: ReactNode; hint?: ReactNode } & InputHTMLAttributes<HTMLInputElement> & {
    ref?: Ref<HTMLInputElement>;
  }) {
  const auto = useId();
  const fieldId = id ?? auto;
  return (
    <div className="checkbox">
      <input
        ref={ref}
        id={fieldId}
        type="checkbox"
        aria-describedby={hint ? `${fieldId}-hint` : undefined}
        {...input}
      />
      <label htmlFor={fieldId}>
        {label}
        {hint ? (
          <span id={`${fieldId}-hint`} className="field-hint">
            {hint}
          </span>
        ) : null}
      </label>
    </div>
  );
}

/** A group of related controls (checkboxes, radios) with a legend and a shared error. */
export function FieldSet({
  legend,
  hint,
  error,
  children,
  className,
}: {
  legend: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  children: ReactNode;
  className?: string;
}) {
  const id = useId();
  return (
    <fieldset
      className={['fieldset', error ? 'field-invalid' : '', className ?? ''].filter(Boolean).join(' ')}
      aria-describedby={describedBy(id, hint, error)}
    >
      <legend className="field-label">{legend}</legend>
      {hint ? (
        <div id={`${id}-hint`} className="field-hint">
          {hint}
        </div>
      ) : null}
      {children}
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
