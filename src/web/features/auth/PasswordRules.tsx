import { PASSWORD_MIN } from '../../../shared/contracts/auth.js';
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
