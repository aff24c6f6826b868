import { useId, useState } from 'react';
import { Button } from '../../components/Button.js';
import { Icon } from '../../components/Icon.js';
import { useT } from '../../i18n/useT.js';
import type { CodeOption } from './codes.js';

/**
 * Several codes from a long list (countries, languages): the chosen ones as removable chips, and a list
 * with an "Add" button (a change of the list alone adds nothing, so arrow keys can browse it).
 */
export function CodePicker({
  legend,
  hint,
  chooseLabel,
  value,
  onChange,
  options,
  nameOf,
  max,
  error,
  testId,
}: {
  legend: string;
  hint?: string;
  chooseLabel: string;
  value: string[];
  onChange: (value: string[]) => void;
  options: CodeOption[];
  nameOf: (code: string) => string;
  max: number;
  error?: string | undefined;
  testId: string;
}) {
  const t = useT();
  const selectId = useId();
  const hintId = useId();
  const [choice, setChoice] = useState('');
  const full = value.length >= max;
  const add = () => {
    if (!choice || value.includes(choice) || full) return;
    onChange([...value, choice]);
    setChoice('');
  };
  return (
    <fieldset className={['fieldset', error ? 'field-invalid' : ''].filter(Boolean).join(' ')}>
      <legend className="field-label">{legend}</legend>
      {hint ? (
        <div id={hintId} className="field-hint">
          {hint}
        </div>
      ) : null}
      {value.length ? (
        <ul className="chips" data-testid={`${testId}-chosen`}>
          {value.map((code) => (
            <li key={code} className="chip">
              <span>{nameOf(code)}</span>
              <button
                type="button"
                className="chip-remove"
                aria-label={t('persons.removeItem', { item: nameOf(code) })}
                onClick={() => onChange(value.filter((c) => c !== code))}
              >
                <Icon name="x" size={14} />
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <div className="picker-row">
        <label htmlFor={selectId} className="visually-hidden">
          {chooseLabel}
        </label>
        <select
          id={selectId}
          className="input select"
          value={choice}
          disabled={full}
          aria-describedby={hint ? hintId : undefined}
          data-testid={`${testId}-select`}
          onChange={(event) => setChoice(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter') {
              event.preventDefault();
              add();
            }
          }}
        >
          <option value="">{chooseLabel}</option>
          {options.map((o) => (
            <option key={o.code} value={o.code} disabled={value.includes(o.code)}>
              {o.label}
            </option>
          ))}
        </select>
        <Button icon="plus" onClick={add} disabled={!choice || full} data-testid={`${testId}-add`}>
          {t('persons.add')}
        </Button>
      </div>
      {error ? <p className="field-error">{error}</p> : null}
    </fieldset>
  );
}
