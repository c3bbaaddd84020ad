/** Realistic FAKE secrets (valid shapes, not real credentials) shared by the sdk tests. */
export const FAKE_SECRETS = {
  anthropic: 'sk-ant-api03-Xk9fQ2mZ7vLp3RtY8wNc1HbJ4dGs6EaU0iOy5TqK2xMn7VbCz9LpWq3Rt-AbCdEfGhIjKlMnOpQrStUvWxYz012345-_AA',
  openai: 'sk-proj-T3BlbkFJa9Xk2mQ7vLp3RtY8wNc1HbJ4dGs6EaU0iOy5TqK2xMn7VbCz',
  openaiLegacy: 'sk-4fJq9Xk2mQ7vLp3RtY8wT3BlbkFJNc1HbJ4dGs6EaU0iOy5TqK2x',
  awsAccessKey: 'AKIAIOSFODNN7EXAMPLE',
  awsSecret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  github: 'ghp_1A2b3C4d5E6f7G8h9I0jK1lM2nO3pQ4rS5tU6v',
  githubPat: 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV',
  slack: 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx',
  slackWebhook: 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
  google: 'AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY',
  jwt: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
  bearer: 'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA',
  dbPassword: 'hunter2-Sup3rS3cret',
  envToken: 'tok_live_9f8e7d6c5b4a3210',
  pemBody: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj',
} as const;

export const PEM = `-----BEGIN RSA PRIVATE KEY-----\n${FAKE_SECRETS.pemBody}\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n-----END RSA PRIVATE KEY-----`;

/** Strings in which each secret is embedded the way agents see them. */
export const SECRET_CARRIERS: Array<[string, string]> = [
  [`export ANTHROPIC_API_KEY=${FAKE_SECRETS.anthropic}`, FAKE_SECRETS.anthropic],
  [`curl -H "Authorization: Bearer ${FAKE_SECRETS.openai}" https://api.openai.com/v1/models`, FAKE_SECRETS.openai],
  [`OPENAI_KEY="${FAKE_SECRETS.openaiLegacy}" node run.js`, FAKE_SECRETS.openaiLegacy],
  [`[default]\naws_access_key_id = ${FAKE_SECRETS.awsAccessKey}\naws_secret_access_key = ${FAKE_SECRETS.awsSecret}\n`, FAKE_SECRETS.awsSecret],
  [`aws configure set aws_access_key_id ${FAKE_SECRETS.awsAccessKey}`, FAKE_SECRETS.awsAccessKey],
  [`git clone https://${FAKE_SECRETS.github}@github.com/acme/repo.git`, FAKE_SECRETS.github],
  [`{"token":"${FAKE_SECRETS.githubPat}"}`, FAKE_SECRETS.githubPat],
  [`SLACK_BOT=${FAKE_SECRETS.slack}`, FAKE_SECRETS.slack],
  [`curl -X POST ${FAKE_SECRETS.slackWebhook} -d '{"text":"hi"}'`, FAKE_SECRETS.slackWebhook],
  [`const key = '${FAKE_SECRETS.google}';`, FAKE_SECRETS.google],
  [`Cookie: session=${FAKE_SECRETS.jwt}; path=/`, FAKE_SECRETS.jwt],
  [`curl -H 'Authorization: Bearer ${FAKE_SECRETS.bearer}' https://x.test`, FAKE_SECRETS.bearer],
  [`psql postgres://admin:${FAKE_SECRETS.dbPassword}@db.internal:5432/app`, FAKE_SECRETS.dbPassword],
  [`GITHUB_TOKEN=${FAKE_SECRETS.envToken} gh pr list`, FAKE_SECRETS.envToken],
  [`DB_PASSWORD='${FAKE_SECRETS.dbPassword}' npm start`, FAKE_SECRETS.dbPassword],
  [`{"password": "${FAKE_SECRETS.dbPassword}", "user": "admin"}`, FAKE_SECRETS.dbPassword],
  [`mysql -u root --password ${FAKE_SECRETS.dbPassword} app`, FAKE_SECRETS.dbPassword],
  [`cat id_rsa\n${PEM}\n`, FAKE_SECRETS.pemBody],
];
