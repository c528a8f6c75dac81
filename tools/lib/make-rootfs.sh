#!/usr/bin/env bash
# Builds the minimal workspace root filesystem shared by the agent image and the control-plane
# emulator's instances: the static workspace-agent, a static busybox with its applets, and the
# directories an agent expects.
#   make-rootfs.sh DIR AGENT BUSYBOX
set -euo pipefail
dir=$1 agent=$2 busybox=$3
mkdir -p "$dir"/{bin,usr/local/bin,configs,workspace,plugins,tmp,etc,root,var/log}
chmod 1777 "$dir/tmp"
cp "$agent" "$dir/usr/local/bin/workspace-agent"
strip "$dir/usr/local/bin/workspace-agent" 2>/dev/null || true
cp "$busybox" "$dir/bin/busybox"
for applet in sh ash cat ls mkdir rm rmdir mv cp ln echo printf test find tar sleep env ps kill wc head tail \
              install chmod touch stat du grep sed sort uniq tr cut date id hostname true false base64 sha256sum; do
  ln -sf busybox "$dir/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' > "$dir/etc/passwd"
echo 'root:x:0:' > "$dir/etc/group"
