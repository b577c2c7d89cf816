#!/bin/sh
# Proxy image: Debian's tinyproxy, run without systemd as
#   tinyproxy -d -c /etc/tinyproxy/lab.conf
# The lab writes lab.conf and its filter (the hosts it refuses: the lab's registries) into the container
# before start (see test/lab/proxy.ts). Built with the network: tinyproxy is not in the lab's base package
# list (every node would then carry it), so it comes from Debian's mirror here.
set -eux
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d   # no service starts during the build
chmod 0755 /usr/sbin/policy-rc.d
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends tinyproxy
rm -f /usr/sbin/policy-rc.d
install -d -m 0755 -o tinyproxy -g tinyproxy /var/log/tinyproxy /run/tinyproxy
tinyproxy -v
apt-get clean
rm -rf /var/lib/apt/lists/* /tmp/* || true
