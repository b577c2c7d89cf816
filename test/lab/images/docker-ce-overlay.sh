#!/bin/sh
# docker-ce-like Debian node: the docker unit's ExecStart does not mention $DOCKER_OPTS (as in
# docker-ce's stock unit), so a DOCKER_OPTS drop-in is silently ignored there.
set -eux
# shellcheck disable=SC2016 # a literal $DOCKER_OPTS, removed from the unit
sed -e 's/ *\$DOCKER_OPTS//' -e '/^EnvironmentFile=-\/etc\/default\/docker$/d' \
  /lib/systemd/system/docker.service > /etc/systemd/system/docker.service
if grep -q DOCKER_OPTS /etc/systemd/system/docker.service; then echo "the unit still mentions DOCKER_OPTS" >&2; exit 1; fi
grep -q '^ExecStart=/usr/sbin/dockerd -H fd://' /etc/systemd/system/docker.service
