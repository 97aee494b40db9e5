# shellcheck shell=bash
# Shared bits for the testenv scripts (build, build-helm, helm, up, down):
# versions read from go.mod and helm-src/go.mod, and the per-version binary
# cache paths. Source it; don't run it.
#
#   testenv_bin_dir    prints the cache dir holding kube-apiserver and etcd
#   testenv_helm_dir   prints the cache dir holding helm

TESTENV_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

testenv_die() {
  echo "testenv: error: $*" >&2
  exit 1
}

# testenv_mod_version MODULE [GO_MOD]: the version GO_MOD (default: go.mod
# beside this file) requires for MODULE.
testenv_mod_version() {
  local v mod="${2:-$TESTENV_SRC/go.mod}"
  v="$(awk -v m="$1" '
    $1 == m && $2 ~ /^v/ { print $2; exit }
    $1 == "require" && $2 == m && $3 ~ /^v/ { print $3; exit }' "$mod")"
  [[ -n "$v" ]] || testenv_die "cannot find $1 in $mod"
  echo "$v"
}

K8S_VERSION="$(testenv_mod_version k8s.io/kubernetes)"          # e.g. v1.33.13
ETCD_VERSION="$(testenv_mod_version go.etcd.io/etcd/server/v3)" # e.g. v3.5.21

testenv_cache_root() {
  echo "${KUBECTL_DRIFT_TESTENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-drift/testenv}"
}

testenv_bin_dir() {
  echo "$(testenv_cache_root)/${K8S_VERSION}-etcd${ETCD_VERSION#v}"
}

# The helm module lives apart (helm-src/go.mod): its Kubernetes libraries are
# newer than the API server's.
testenv_helm_version() {
  testenv_mod_version helm.sh/helm/v3 "$TESTENV_SRC/helm-src/go.mod"
}

testenv_helm_dir() {
  local v
  v="$(testenv_helm_version)" || exit 1
  echo "$(testenv_cache_root)/helm-$v"
}

testenv_now() { date +%s.%N; }

# testenv_elapsed START: seconds since START (from testenv_now), 2 decimals.
testenv_elapsed() {
  awk -v a="$(testenv_now)" -v b="$1" 'BEGIN { printf "%.2f", a - b }'
}
