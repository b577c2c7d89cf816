#!/bin/sh
# RHEL-family stand-in (Rocky Linux 9): applied on top of the Debian node image.
# RHEL packages cannot be had on the lab machine; what dockhand can observe is made RHEL-like:
# os-release, redhat-release, the /etc/pki/ca-trust tree and update-ca-trust, no update-ca-certificates.
set -eux

rm -f /etc/os-release /usr/lib/os-release /etc/debian_version
cat > /usr/lib/os-release <<'OSR'
NAME="Rocky Linux"
VERSION="9.4 (Blue Onyx)"
ID="rocky"
ID_LIKE="rhel centos fedora"
VERSION_ID="9.4"
PLATFORM_ID="platform:el9"
PRETTY_NAME="Rocky Linux 9.4 (Blue Onyx)"
ANSI_COLOR="0;32"
LOGO="fedora-logo-icon"
CPE_NAME="cpe:/o:rocky:rocky:9::baseos"
HOME_URL="https://rockylinux.org/"
BUG_REPORT_URL="https://bugs.rockylinux.org/"
SUPPORT_END="2032-05-31"
ROCKY_SUPPORT_PRODUCT="Rocky-Linux-9"
ROCKY_SUPPORT_PRODUCT_VERSION="9.4"
REDHAT_SUPPORT_PRODUCT="Rocky Linux"
REDHAT_SUPPORT_PRODUCT_VERSION="9.4"
OSR
ln -s ../usr/lib/os-release /etc/os-release
printf 'Rocky Linux release 9.4 (Blue Onyx)\n' > /etc/rocky-release
ln -s rocky-release /etc/redhat-release
ln -s rocky-release /etc/system-release

# --- CA trust, RHEL style ---------------------------------------------------------------------------
install -d -m 0755 /etc/pki/ca-trust/source/anchors /etc/pki/ca-trust/source/blocklist \
  /etc/pki/ca-trust/extracted/pem /etc/pki/ca-trust/extracted/openssl \
  /etc/pki/tls/certs /etc/pki/tls/private /usr/share/pki/ca-trust-source/anchors
install -m 0755 /tmp/lab-build/update-ca-trust /usr/bin/update-ca-trust
rm -f /usr/sbin/update-ca-certificates /usr/bin/update-ca-certificates
/usr/bin/update-ca-trust extract
# OpenSSL/curl (CAfile) and Go (dockerd: first existing bundle file) read the extracted bundle.
ln -sfn /etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem /etc/ssl/certs/ca-certificates.crt
ln -sfn /etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem /etc/pki/tls/certs/ca-bundle.crt
ln -sfn /etc/pki/tls/certs/ca-bundle.crt /etc/pki/tls/cert.pem
