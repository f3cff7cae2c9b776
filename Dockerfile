# syntax=docker/dockerfile:1
# Production image: compiled TypeScript on node:20-slim, with @tensorflow/tfjs-node (native
# TensorFlow; the build machines of this project cannot install it, the image can).

FROM node:20-slim AS build
WORKDIR /app
# tfjs-node's install step downloads libtensorflow and may compile its binding.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build
# Production dependencies only, plus the native TensorFlow backend (optional: the wasm backend
# takes over if it fails to load).
RUN npm prune --omit=dev && npm install --no-save --omit=dev --no-audit --no-fund @tensorflow/tfjs-node@4.22.0

FROM node:20-slim
ENV NODE_ENV=production PORT=3000
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY views ./views
COPY public ./public
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "bin/wayfinder.js", "serve"]
