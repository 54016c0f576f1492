# The server or a worker for docker-compose.yml (the command picks which). Needs a registry for the base image.
FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build.mjs ./scripts/
COPY src ./src
RUN node scripts/build.mjs
# glibc's allocator as src/process/spawn-entry.ts sets it for the processes it starts (MALLOC_ENV, measured there).
ENV MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=8388608
CMD ["npm", "run", "server"]
