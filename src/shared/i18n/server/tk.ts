import type { ServerMessageKey } from './en.js';

export const tk: Record<ServerMessageKey, string> = {
  'error.validation_failed': 'Käbir meýdançalar nädogry dolduryldy. Olary barlaň.',
  'error.malformed_json': 'Haýyşyň mazmuny dogry JSON däl.',
  'error.idempotency_key_required': 'Bu haýyş üçin Idempotency-Key sözbaşysy gerek.',
  'error.idempotency_key_invalid':
    'Idempotency-Key sözbaşysy nädogry: 8-den 128-e çenli latyn harpyny, sifri ýa-da - _ . : + / = belgilerini ulanyň.',
  'error.if_match_invalid':
    'If-Match sözbaşysy nädogry: ýazgynyň ýüklän wagtyňyzdaky ETag-ini iberiň, meselem "3".',
  'error.idempotency_in_flight': 'Şol bir haýyş entek işlenýär. Biraz garaşyp, gaýtadan synanyşyň.',
  'error.precondition_failed':
    'Siz bu ýazgyny açandan soň, ony başga biri üýtgetdi. Ýazgyny täzeläň we üýtgetmäňizi gaýtadan giriziň.',
  'error.idempotency_key_reused': 'Bu Idempotency-Key başga bir haýyş üçin eýýäm ulanyldy.',
  'error.precondition_required':
    'Bu üýtgetme üçin ýüklän ýazgyňyzyň wersiýasy bilen If-Match sözbaşysy gerek.',
  'error.unauthenticated': 'Ulgama giriň.',
  'error.invalid_credentials': 'Ulanyjy ady ýa-da açar sözi nädogry, ýa-da hasap wagtlaýyn ýapyldy.',
  'error.mfa_required': 'Girişi tassyklamak üçin tassyklaýjy programmadaky kody giriziň.',
  'error.mfa_invalid': 'Kod nädogry ýa-da eýýäm ulanyldy.',
  'error.session_expired': 'Sessiýaňyz tamamlandy. Täzeden giriň.',
  'error.forbidden': 'Bu hereket üçin rugsadyňyz ýok.',
  'error.csrf_rejected': 'Haýyş ret edildi: ol Halas programmasyndan iberilmedi.',
  'error.reauth_required': 'Dowam etmek üçin şahsyýetiňizi ýene bir gezek tassyklaň.',
  'error.role_not_grantable': 'Bu wezipeleriň birini ýa-da birnäçesini berip bilmeýärsiňiz.',
  'error.field_not_writable': 'Ýazgynyň bu bölekleriniň birini ýa-da birnäçesini üýtgedip bilmeýärsiňiz.',
  'error.consent_invalid':
    'Bu razylygy ýazyp bolmaýar: ony kimiň berýändigini (çaga üçin — hossary), alyjyny we seneleri barlaň.',
  'error.erasure_self_approval':
    'Özüňiz soran pozmagyňyzy ýa-da şol bir haýyşy iki gezek tassyklap bilmersiňiz.',
  'error.erasure_dpo_required':
    'Maglumatlary goramak boýunça işgäriň tassyklamasy entek gerek: beýleki tassyklama eýýäm berildi.',
  'error.erasure_pending': 'Bu adamyň maglumatlaryny pozmak baradaky haýyş eýýäm karara garaşýar.',
  'error.export_not_approved':
    'Bu eksportda şahsyýeti anyklaýan maglumatlar bar we ony entek ikinji işgär tassyklamady.',
  'error.export_self_approval':
    'Öz soran eksportyňyzy tassyklap ýa-da ret edip bilmersiňiz: başga bir işgär karar bermeli.',
  'error.export_decided': 'Bu eksport barada eýýäm karar berildi ýa-da onuň möhleti geçdi.',
  'error.erasure_decided':
    'Bu pozmak haýyşy boýunça karar eýýäm kabul edildi ýa-da siz ony eýýäm tassykladyňyz.',
  'error.person_erased': 'Bu adamyň şahsyýetini kesgitleýän maglumatlary eýýäm pozuldy.',
  'error.merge_invalid':
    'Bu ýazgylary birleşdirip ýa-da aýyryp bolmaýar: ýazgyny özi bilen birleşdirip bolmaýar, birleşdirilen ýa-da pozulan ýazgyny täzeden birleşdirip bolmaýar, birleşdirmäni diňe galan ýazgy üýtgedilmedik we ýatyrmak möhleti geçmedik wagty ýatyryp bolýar.',
  'error.not_found': 'Tapylmady.',
  'error.method_not_allowed': 'Bu usul bu ýerde rugsat edilmeýär.',
  'error.conflict': 'Ýazgy başga biri tarapyndan üýtgedildi. Ony täzeläp, gaýtadan synanyşyň.',
  'error.break_glass_unneeded': 'Siz bu ýazgyny eýýäm açyp bilýärsiňiz: gyssagly elýeterlilik gerek däl.',
  'error.username_taken': 'Bu ulanyjy ady eýýäm eýelenen.',
  'error.agency_code_taken': 'Bu kodly edara eýýäm bar.',
  'error.payload_too_large': 'Haýyş gaty uly.',
  'error.unsupported_media_type': 'Bu mazmun görnüşi goldanylmaýar. JSON iberiň.',
  'error.file_type_not_accepted': 'Diňe JPEG we PNG suratlaryny hem-de PDF resminamalaryny ýükläp bolýar.',
  'error.file_damaged':
    'Bu saklanan faýl zaýalanypdyr we ony açyp bolmaýar. Haýyşyň belgisini administratoryňyza habar beriň.',
  'error.weak_password':
    'Has uzyn ýa-da seýrek açar sözüni saýlaň: azyndan 15 nyşan, giňden ýaýran açar sözi däl, ulgamyň ýa-da edaranyň ady däl.',
  'error.password_reused': 'Täze açar sözi häzirkisinden tapawutlanmaly.',
  'error.setup_token_invalid':
    'Bu sazlama kody nädogry ýa-da möhleti geçdi. Administratoryňyzdan täzesini soraň.',
  'error.last_admin': 'Bu ulgamy işjeň administratorsyz galdyrar.',
  'error.too_many_requests': 'Synanyşyk gaty köp. Biraz garaşyp, gaýtadan synanyşyň.',
  'error.internal_error':
    'Biziň tarapymyzda ýalňyşlyk ýüze çykdy. Gaýtadan synanyşyň; ýene gaýtalansa, haýyşyň belgisini habar beriň.',
  'error.service_unavailable': 'Hyzmat wagtlaýyn elýeterli däl. Birazdan gaýtadan synanyşyň.',
  'issue.invalid_type': '{expected} görnüşli baha garaşylýar.',
  'issue.required': 'Bu meýdança hökmany.',
  'issue.too_small.string': 'Uzynlygy azyndan {minimum} nyşan bolmaly.',
  'issue.too_small.number': 'Baha azyndan {minimum} bolmaly.',
  'issue.too_small.array': 'Azyndan {minimum} saýlaň.',
  'issue.too_big.string': 'Uzynlygy köp bolsa {maximum} nyşan bolmaly.',
  'issue.too_big.number': 'Baha köp bolsa {maximum} bolmaly.',
  'issue.too_big.array': 'Köp bolsa {maximum} saýlaň.',
  'issue.invalid_format': 'Format nädogry.',
  'issue.unrecognized_keys': 'Näbelli meýdança: {keys}.',
  'issue.invalid_value': 'Bu baha rugsat edilmeýär.',
  'issue.invalid': 'Baha nädogry.',
};
