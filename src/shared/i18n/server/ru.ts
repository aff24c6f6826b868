import type { ServerMessageKey } from './en.js';

export const ru: Record<ServerMessageKey, string> = {
  'error.validation_failed': 'Некоторые поля заполнены неверно. Проверьте их.',
  'error.malformed_json': 'Тело запроса не является корректным JSON.',
  'error.idempotency_key_required': 'Для этого запроса нужен заголовок Idempotency-Key.',
  'error.unauthenticated': 'Пожалуйста, войдите в систему.',
  'error.invalid_credentials':
    'Неверное имя пользователя или пароль, либо учётная запись временно заблокирована.',
  'error.mfa_required': 'Подтвердите вход кодом из приложения-аутентификатора.',
  'error.mfa_invalid': 'Код неверен или уже был использован.',
  'error.session_expired': 'Ваш сеанс завершён. Войдите снова.',
  'error.forbidden': 'У вас нет прав на это действие.',
  'error.csrf_rejected': 'Запрос отклонён: он отправлен не из приложения Halas.',
  'error.reauth_required': 'Чтобы продолжить, подтвердите свою личность ещё раз.',
  'error.role_not_grantable': 'Вы не можете назначить одну или несколько из этих ролей.',
  'error.field_not_writable': 'Вам нельзя изменять одну или несколько из этих частей записи.',
  'error.consent_invalid':
    'Это согласие нельзя записать: проверьте, кто его даёт (за ребёнка — законный представитель), получателя и даты.',
  'error.not_found': 'Не найдено.',
  'error.method_not_allowed': 'Этот метод здесь не допускается.',
  'error.conflict': 'Запись была изменена другим пользователем. Обновите её и повторите попытку.',
  'error.username_taken': 'Это имя пользователя уже занято.',
  'error.agency_code_taken': 'Ведомство с таким кодом уже существует.',
  'error.payload_too_large': 'Запрос слишком большой.',
  'error.unsupported_media_type': 'Этот тип содержимого не поддерживается. Отправьте JSON.',
  'error.weak_password':
    'Выберите более длинный или менее распространённый пароль: не короче 15 символов, не из списка распространённых, без названия системы или ведомства.',
  'error.password_reused': 'Новый пароль должен отличаться от текущего.',
  'error.setup_token_invalid':
    'Этот код настройки недействителен или истёк. Попросите администратора выдать новый.',
  'error.last_admin': 'После этого в системе не останется активного администратора.',
  'error.too_many_requests': 'Слишком много попыток. Подождите немного и повторите.',
  'error.internal_error':
    'На нашей стороне произошла ошибка. Повторите попытку; если ошибка повторится, сообщите идентификатор запроса.',
  'error.service_unavailable': 'Сервис временно недоступен. Повторите попытку чуть позже.',
  'issue.invalid_type': 'Ожидается значение типа {expected}.',
  'issue.required': 'Это поле обязательно.',
  'issue.too_small.string': 'Длина должна быть не меньше {minimum} символов.',
  'issue.too_small.number': 'Значение должно быть не меньше {minimum}.',
  'issue.too_small.array': 'Выберите не меньше {minimum}.',
  'issue.too_big.string': 'Длина должна быть не больше {maximum} символов.',
  'issue.too_big.number': 'Значение должно быть не больше {maximum}.',
  'issue.too_big.array': 'Выберите не больше {maximum}.',
  'issue.invalid_format': 'Неверный формат.',
  'issue.unrecognized_keys': 'Неизвестное поле: {keys}.',
  'issue.invalid_value': 'Это значение не допускается.',
  'issue.invalid': 'Недопустимое значение.',
};
