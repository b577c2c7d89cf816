# shellcheck shell=sh
# The pull check with podman (or, without podman, skopeo): IMAGE is pulled and removed again (unless it
# was there before; skopeo copies it into a throwaway directory). Follows src/node/sh/preamble.sh;
# variables IMAGE, REGISTRY, TOOL (podman or skopeo), LOGIN (yes: the username and password come on
# stdin, one line each, into a throwaway auth file of mode 0600, never in a command line).
d=$(mktemp -d) || exit 1
chmod 700 "$d"
auth=
if [ "$LOGIN" = yes ]; then
  IFS= read -r user
  IFS= read -r pass
  token=$(printf '%s:%s' "$user" "$pass" | base64 | tr -d '\n')
  ( umask 077; printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$REGISTRY" "$token" > "$d/auth.json" )
  unset user pass token
  auth=$d/auth.json
fi
if [ "$TOOL" = podman ]; then
  had=no
  podman image exists "$IMAGE" 2>/dev/null && had=yes
  podman pull -q ${auth:+--authfile "$auth"} "$IMAGE" 2>&1
  rc=$?
  if [ "$rc" -eq 0 ] && [ "$had" = no ]; then podman rmi "$IMAGE" >/dev/null 2>&1; fi
else
  skopeo copy -q ${auth:+--src-authfile "$auth"} "docker://$IMAGE" "dir:$d/image" 2>&1
  rc=$?
fi
rm -rf -- "$d"
exit "$rc"
