# A small image for Jobs, CronJobs and pipelines: the static (musl) kubectl-drift binary,
# plus git and ssh for repositories given as URLs.
#   docker build -t ghcr.io/kubectl-drift/kubectl-drift:0.1.0 .
FROM rust:1.89-alpine AS build
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY . .
RUN cargo build --release --locked --target x86_64-unknown-linux-musl \
 && cp target/x86_64-unknown-linux-musl/release/kubectl-drift /kubectl-drift

FROM alpine:3.22
RUN apk add --no-cache git openssh-client ca-certificates \
 && adduser -D -u 65532 -h /home/drift drift
COPY --from=build /kubectl-drift /usr/local/bin/kubectl-drift
USER 65532
ENV HOME=/home/drift
ENTRYPOINT ["kubectl-drift"]
CMD ["--help"]
