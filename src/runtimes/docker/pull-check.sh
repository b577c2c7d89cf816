# shellcheck shell=sh
# The pull check: the node pulls IMAGE through Docker and removes it again (unless it was there
# before). Follows src/node/sh/preamble.sh; variables IMAGE, REGISTRY, LOGIN (yes: the username and
# password come on stdin, one line each, into a throwaway Docker config of mode 0600).
d=$(mktemp -d) || exit 1
chmod 700 "$d"
if [ "$LOGIN" = yes ]; then
  IFS= read -r user
  IFS= read -r pass
  auth=$(printf '%s:%s' "$user" "$pass" | base64 | tr -d '\n')
  ( umask 077; printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$REGISTRY" "$auth" > "$d/config.json" )
  unset user pass auth
fi
had=no
docker image inspect "$IMAGE" >/dev/null 2>&1 && had=yes
docker --config "$d" pull -q "$IMAGE" 2>&1
rc=$?
rm -rf -- "$d"
if [ "$rc" -eq 0 ] && [ "$had" = no ]; then docker rmi "$IMAGE" >/dev/null 2>&1; fi
exit "$rc"
