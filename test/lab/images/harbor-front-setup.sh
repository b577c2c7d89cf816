#!/bin/sh
# Harbor stand-in image: Debian's nginx-light (with its echo module) in front of the lab's https
# Distribution registry, answering as Harbor does (see test/lab/harbor-front.md). Run without systemd as
#   nginx -g 'daemon off;'
# The lab writes /etc/nginx/nginx.conf, the certificates and the CA into the container before start.
# The only lab image built with the network: nginx-light is not in the lab's base package list (every node
# would then run an nginx), so it comes from Debian's mirror here.
set -eux
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d   # no service starts during the build
chmod 0755 /usr/sbin/policy-rc.d
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx-light libnginx-mod-http-echo
rm -f /usr/sbin/policy-rc.d /etc/nginx/sites-enabled/default
install -d -m 0755 /etc/nginx/harbor
nginx -V 2>&1 | grep -q -- '--with-http_auth_request_module'
test -e /etc/nginx/modules-enabled/50-mod-http-echo.conf
apt-get clean
rm -rf /var/lib/apt/lists/* /tmp/* || true
