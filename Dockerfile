# syntax=docker/dockerfile:1
# One image for the compose lab's master and minions (docker-compose.yml).
#
# build:   npm ci, tsc, then scripts/build-dist.mjs bundles each program with its dependencies into
#          one file (the same artifact deploy/install-*.sh installs on a VM).
# runtime: node:20-slim plus those two files: the bundles are the production dependencies and dist,
#          so the image carries no node_modules, no npm cache and no TypeScript.
# The image runs as the unprivileged `node` user, which is right for the master. The minion runs
# states (files anywhere, packages, services), so compose starts it with `user: root`, as
# salt-minion runs as root.

FROM node:20-slim AS build
WORKDIR /src
# the manifests first, so the npm ci layer is reused until a dependency changes
COPY package.json package-lock.json ./
COPY packages/common/package.json packages/common/
COPY packages/master/package.json packages/master/
COPY packages/minion/package.json packages/minion/
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY packages/ packages/
COPY scripts/ scripts/
COPY deploy/ deploy/
RUN npm run build && node scripts/build-dist.mjs --outdir /out

FROM node:20-slim
LABEL org.opencontainers.image.title="saltmq" \
      org.opencontainers.image.description="SaltStack's master/minion/reactor over MQTT"
COPY --from=build /out/saltmq-master.mjs /out/saltmq-minion.mjs /out/saltmq-licenses.txt /usr/local/lib/saltmq/
# the master bundle runs saltmq, saltmq-key and saltmq-run when called by those names, the minion's saltmq-call
RUN for tool in saltmq-master saltmq saltmq-key saltmq-run; do \
      ln -s ../lib/saltmq/saltmq-master.mjs "/usr/local/bin/$tool"; \
    done \
 && ln -s ../lib/saltmq/saltmq-minion.mjs /usr/local/bin/saltmq-minion \
 && ln -s ../lib/saltmq/saltmq-minion.mjs /usr/local/bin/saltmq-call \
 && mkdir -p /etc/saltmq/pki /var/cache/saltmq /var/log/saltmq /srv/salt /srv/reactor \
 && chown -R node:node /etc/saltmq /var/cache/saltmq /var/log/saltmq
USER node
EXPOSE 4506
CMD ["saltmq-master", "-c", "/etc/saltmq"]
