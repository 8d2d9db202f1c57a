#!/usr/bin/env bash
# Makes a throwaway RSA signing key for test releases, never for publishing: no passphrase, lives in
# DIR only. Writes DIR/secret.asc (for RELEASE_GPG_KEY_FILE) and DIR/public.asc, prints the fingerprint.
#
#   scripts/release-test-key.sh DIR
set -euo pipefail
dir=${1:?usage: release-test-key.sh DIR}
mkdir -p "$dir/gnupg"
chmod 700 "$dir/gnupg"
export GNUPGHOME=$dir/gnupg
# RSA: Terraform 1.0 verifies nothing else. 3072 bits keeps generation fast enough for every test run.
gpg --batch --quiet --passphrase '' --quick-gen-key \
  "terraform-provider-scs test release <test-release@invalid>" rsa3072 sign never
fpr=$(gpg --batch --with-colons --list-secret-keys | awk -F: '$1 == "fpr" { print $10; exit }')
gpg --batch --armor --export-secret-keys "$fpr" >"$dir/secret.asc"
gpg --batch --armor --export "$fpr" >"$dir/public.asc"
gpgconf --homedir "$GNUPGHOME" --kill all 2>/dev/null || true
echo "$fpr"
