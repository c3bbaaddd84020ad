/**
 * Realistic FAKE secrets (valid shapes, no real credentials). Each value is unique so a
 * leak names its position. `carrier` is how the secret reaches telemetry in practice.
 */
export const SECRETS = {
  anthropic: 'sk-ant-api03-Qw7Zr2Lx9Kp4Mv8Nt1Bc6Hd3Fg5Js0Ay2Ue7Io4Pq9Rs3Tu6Vw8Xy1Za5Bc2De-Rel1abilityTestKey_AA',
  openai: 'sk-proj-Rl9Ty3Ui8Op2As7Df4Gh1Jk6Lz0Xc5Vb3Nm8Qw2Er7Ty4Ui',
  awsKeyId: 'AKIAQRELIABILITY7XYZ',
  awsSecret: 'R3l1ab/ilityTestSecretK3yXYZabc/def+GHIJKL',
  github: 'ghp_R3l1abilityT3stT0kenAbCdEfGhIjKlMnOpQr',
  githubPat: 'github_pat_11RELIAB0123456789_reliabilitytestpatabcdefghijklmnopqrstuvwx',
  slack: 'xoxb-2222222222-3333333333-ReliabilityTestSlackTok',
  google: 'AIzaSyR3l1abilityTestKey-0123456789abcde',
  pemBody: 'MIIEvRELIABILITYTESTPEMBODYkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ',
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJyZWxpYWJpbGl0eSJ9.R3l1abilityJwtSignatureAbCdEfGhIjKlMn',
  bearer: 'UmVsaWFiaWxpdHlCZWFyZXJUb2tlbjEyMzQ1',
  dbPassword: 'Rel1ab1lity-Pg-Passw0rd',
  envKey: 'rk_live_R3l1abilityEnvK3y9876',
} as const;

const PEM = `-----BEGIN PRIVATE KEY-----\n${SECRETS.pemBody}\n-----END PRIVATE KEY-----`;

/** Strings carrying the secrets the way agents and tools see them. */
export const CARRIERS: string[] = [
  `export ANTHROPIC_API_KEY=${SECRETS.anthropic}`,
  `curl https://api.openai.com/v1/models -H "Authorization: Bearer ${SECRETS.openai}"`,
  `aws configure set aws_access_key_id ${SECRETS.awsKeyId} && aws_secret_access_key=${SECRETS.awsSecret}`,
  `git clone https://${SECRETS.github}@github.com/acme/api.git`,
  `{"token":"${SECRETS.githubPat}"}`,
  `SLACK=${SECRETS.slack} ./notify.sh`,
  `const key = '${SECRETS.google}';`,
  PEM,
  `Cookie: session=${SECRETS.jwt}`,
  `Authorization: Bearer ${SECRETS.bearer}`,
  `psql postgres://admin:${SECRETS.dbPassword}@db.internal:5432/app`,
  `API_KEY=${SECRETS.envKey} npm run deploy`,
];

/** Which secrets appear in a text (empty means clean). */
export function leaked(text: string): string[] {
  return Object.entries(SECRETS).filter(([, v]) => text.includes(v)).map(([k]) => k);
}
