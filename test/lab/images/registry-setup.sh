#!/bin/sh
# Registry image: Debian's docker-registry (CNCF Distribution), run without systemd as
#   docker-registry serve /etc/docker/registry/config.yml
# The lab writes config.yml (and for https: server cert/key, htpasswd) into the container before start.
set -eux
install -d -m 0755 /etc/docker/registry /var/lib/docker-registry
rm -f /etc/docker/registry/config.yml
apt-get clean
rm -rf /var/lib/apt/lists/* /tmp/* || true
