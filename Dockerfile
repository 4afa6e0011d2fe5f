# syntax=docker/dockerfile:1
# One image for both processes: the API (default command) and the worker
# (`node dist/worker/main.js`). Not built on the development machines (no Docker engine
# there); test/unit/deployment-files.test.ts checks its structure.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary fits.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# npm's `prepare` builds the operator console (console/ → console/dist) during the install.
COPY console ./console
# `npm install` against the lock, as CI does: the lock cannot list every platform's
# optional @swc/core build, which `npm ci` would insist on.
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY worker ./worker
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/console/dist ./console/dist
COPY knowledge-base ./knowledge-base
USER node
# API · worker metrics · Temporal SDK metrics
EXPOSE 3000 9464 9465
CMD ["node", "--enable-source-maps", "dist/src/api/main.js"]
