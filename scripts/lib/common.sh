# Shared by scripts/run and scripts/test (sourced; not run on its own).

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  echo "==> installing Debian packages: $*"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# .venv with the given extras; pip runs only when pyproject.toml changed since the last install, so a second
# run needs no network.
ensure_venv() {
  local extras=$1
  local python=${PYTHON:-python3.11}
  command -v "$python" >/dev/null 2>&1 || python=python3
  if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv with $python"
    if ! "$python" -m venv .venv 2>/dev/null; then
      rm -rf .venv
      apt_install python3-venv  # Debian splits venv (ensurepip) out of python3
      "$python" -m venv .venv
    fi
  fi
  local stamp=".venv/.youthsafe-installed"
  local want
  want="$(sha256sum pyproject.toml | cut -d' ' -f1) [$extras]"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "==> installing YouthSafe${extras:+[$extras]}"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".${extras:+[$extras]}"
    echo "$want" > "$stamp"
  else
    echo "==> YouthSafe${extras:+[$extras]} already installed (pyproject.toml unchanged)"
  fi
}

# PostgreSQL on 127.0.0.1:5432 for the PostgreSQL pass: when nothing listens there, install Debian's server
# and start its cluster with trust authentication on loopback (a test machine's set-up, like CI's).
ensure_postgresql() {
  listening 5432 && return 0
  command -v pg_ctlcluster >/dev/null 2>&1 || apt_install postgresql
  local version
  version=$(ls /etc/postgresql | sort -V | tail -1)
  local hba="/etc/postgresql/$version/main/pg_hba.conf"
  if ! as_root grep -q "youthsafe test machine" "$hba"; then
    as_root sed -i '1i # youthsafe test machine: trust on loopback\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  fi
  echo "==> starting PostgreSQL $version"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || as_root pg_ctlcluster "$version" main restart
  for _ in $(seq 30); do listening 5432 && return 0; sleep 1; done
  echo "PostgreSQL did not start on 127.0.0.1:5432" >&2
  return 1
}

# NATS with JetStream on 127.0.0.1:4222 for the stream tests (they skip without it): Debian's nats-server,
# started in the background with a store of its own, when nothing listens there.
ensure_nats() {
  listening 4222 && return 0
  command -v nats-server >/dev/null 2>&1 || apt_install nats-server || return 0
  local store
  store=$(mktemp -d)
  echo "==> starting nats-server with JetStream (store $store)"
  nohup nats-server -js -a 127.0.0.1 -p 4222 -sd "$store" >"$store/nats.log" 2>&1 &
  for _ in $(seq 20); do listening 4222 && return 0; sleep 0.5; done
  echo "nats-server did not start; the stream tests will be skipped" >&2
}
