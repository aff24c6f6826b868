import { PASSWORD_MAX, PASSWORD_MIN } from '../../../shared/contracts/auth.js';
import { Icon } from '../../components/Icon.js';
import { useT } from '../../i18n/useT.js';

/** The password policy in words, with a live length count (the only rule the browser can check). */
export function PasswordRules({ length }: { length: number }) {
  const t = useT();
  const long = length >= PASSWORD_MIN;
  return (
    <div className="password-rules">
      <ul>
        <li className={long ? 'rule-met' : undefined}>
          <Icon name={long ? 'check' : 'info'} size={14} />
          <span>
            {t('password.ruleLength', { min: PASSWORD_MIN })}{' '}
            <span className="rule-count">{t('password.count', { count: length })}</span>
          </span>
        </li>
        <li>
          <Icon name="info" size={14} />
          <span>{t('password.rulePassphrase')}</span>
        </li>
        <li>
          <Icon name="info" size={14} />
          <span>{t('password.ruleCommon')}</span>
        </li>
      </ul>
    </div>
  );
}

/** The checks of a new password and of its confirmation, as rules for react-hook-form's `register`. */
export function useNewPasswordRules() {
  const t = useT();
  return {
    password: {
      required: t('validation.required'),
      minLength: { value: PASSWORD_MIN, message: t('password.tooShort', { min: PASSWORD_MIN }) },
      maxLength: { value: PASSWORD_MAX, message: t('password.tooLong', { max: PASSWORD_MAX }) },
    },
    /** The confirmation must repeat the password `password()` gives. */
    confirm: (password: () => string) => ({
      required: t('validation.required'),
      validate: (value: string) => value === password() || t('password.mismatch'),
    }),
  };
}
