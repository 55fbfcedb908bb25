#!/bin/sh
# Install the Debian packages magsim needs, when they are missing, and say which.
# Used by `make deps`, the README's quick start and .ci/run.
# python3 is for the tests alone (JSON and XML checks in tests/*.sh, which `make check` runs).
set -e
PKGS="make gcc pkg-config libgsl-dev libyaml-dev libcmocka-dev librandom123-dev libssl-dev libcairo2-dev fonts-dejavu-core python3"
[ -n "$MAGSIM_DEPS_EXTRA" ] && PKGS="$PKGS $MAGSIM_DEPS_EXTRA"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
    echo "deps: all present ($PKGS)"
    exit 0
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "deps: installing:$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
echo "deps: installed:$missing"
