# Fulcrum: the OTLP/HTTP receiver, HTTP API and /healthz on 4318, the web app on 4320 (`fulcrum serve`).
# Build: docker build -t fulcrum .   Run: see docker-compose.yml.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# Manifests first, so dependency layers are reused when only sources change.
COPY package.json package-lock.json ./
COPY packages/vocab/package.json packages/vocab/
COPY packages/store/package.json packages/store/
COPY packages/sdk/package.json packages/sdk/
COPY packages/ingest/package.json packages/ingest/
COPY packages/query/package.json packages/query/
COPY packages/api/package.json packages/api/
COPY packages/web/package.json packages/web/
COPY packages/server/package.json packages/server/
COPY packages/guard/package.json packages/guard/
COPY packages/cli/package.json packages/cli/
# npm install, not npm ci: the lock carries only the platform builds of optional
# native packages (chDB) that the registry mirror serves, which npm ci rejects
# as out of sync. The lock still pins every version. --ignore-scripts: the root's
# prepare script builds, and the sources are not here yet (npm run build below);
# no dependency needs its install script (chDB's is empty).
RUN npm install --no-audit --no-fund --ignore-scripts
COPY tsconfig.base.json tsconfig.json ./
COPY packages packages
# The build bundles the guard's hook (fulcrum guard) into one file, and the web app.
COPY scripts/bundle-guard.mjs scripts/bundle-web.mjs scripts/
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/vocab/package.json packages/vocab/
COPY packages/store/package.json packages/store/
COPY packages/sdk/package.json packages/sdk/
COPY packages/ingest/package.json packages/ingest/
COPY packages/query/package.json packages/query/
COPY packages/api/package.json packages/api/
COPY packages/web/package.json packages/web/
COPY packages/server/package.json packages/server/
COPY packages/guard/package.json packages/guard/
COPY packages/cli/package.json packages/cli/
# Runtime dependencies only: the compiler and test tools stay in the build stage.
# --ignore-scripts: the prepare script's compiler is a dev dependency; dist comes from the build stage.
RUN npm install --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force
COPY --from=build /app/packages/vocab/dist packages/vocab/dist
COPY --from=build /app/packages/store/dist packages/store/dist
COPY --from=build /app/packages/sdk/dist packages/sdk/dist
COPY --from=build /app/packages/ingest/dist packages/ingest/dist
COPY --from=build /app/packages/query/dist packages/query/dist
COPY --from=build /app/packages/api/dist packages/api/dist
COPY --from=build /app/packages/web/dist packages/web/dist
COPY --from=build /app/packages/server/dist packages/server/dist
COPY --from=build /app/packages/guard/dist packages/guard/dist
COPY --from=build /app/packages/cli/dist packages/cli/dist
# `fulcrum` on PATH, so `docker compose exec fulcrum fulcrum keys create --project P`
# works as docs/deployment.md shows (the ENTRYPOINT's CLI; dist/bin.js is not executable here).
RUN printf '#!/bin/sh\nexec node /app/packages/cli/dist/bin.js "$@"\n' > /usr/local/bin/fulcrum && chmod 755 /usr/local/bin/fulcrum
# The spool (batches waiting while ClickHouse is down) lives on a volume the
# unprivileged user must own; a named volume copies this ownership when created.
RUN mkdir -p /var/lib/fulcrum/spool && chown -R node:node /var/lib/fulcrum
USER node
EXPOSE 4318 4320
# node:*-slim has no curl or wget; Node's fetch is enough for a probe.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:4318/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "packages/cli/dist/bin.js"]
CMD ["serve", "--host", "0.0.0.0", "--port", "4318", "--spool-dir", "/var/lib/fulcrum/spool"]
