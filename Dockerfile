# syntax=docker/dockerfile:1
# One image for the API and the worker (compose runs it with different commands).
# Debian-based on purpose: the Temporal native bridge (@temporalio/core-bridge) ships no musl
# build, so Alpine images fail at load time.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# Toolchain for native modules whose prebuilt binary does not match (better-sqlite3 falls back to a build).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# tsc, then the templates the code reads at run time (scripts/copy-assets.ts) and the prebuilt
# workflow bundle (dist/workflow-bundle.js, see scripts/build-workflow-bundle.ts): the runtime
# image gets dist/ and nothing else of the sources.
RUN npm run build && test -s dist/workflow-bundle.js \
 && test -s dist/services/mail/templates/approval.html.hbs \
 && test -s dist/api/approval-pages/templates/confirm.html.hbs
RUN npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/data \
    WORKER_METRICS_BIND=0.0.0.0:9464
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000 9464
# The API by default; the worker service runs `node dist/worker/main.js`.
CMD ["node", "dist/api/main.js"]
