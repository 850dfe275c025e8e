#!/bin/sh
# deps.sh - checks the build and run tools; as root on Debian, installs the
# missing ones with apt-get, otherwise prints the command and fails.
missing=""
need() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }
need nasm nasm
need grub-mkrescue grub-common
need xorriso xorriso
need mformat mtools
need qemu-system-i386 qemu-system-x86
need python3 python3
[ -d /usr/lib/grub/i386-pc ] || missing="$missing grub-pc-bin"
printf 'int main(void){return 0;}\n' > /tmp/ntmm-m32-$$.c
gcc -m32 -o /tmp/ntmm-m32-$$ /tmp/ntmm-m32-$$.c >/dev/null 2>&1 || missing="$missing gcc-multilib"
rm -f /tmp/ntmm-m32-$$ /tmp/ntmm-m32-$$.c
[ -z "$missing" ] && exit 0

cmd="apt-get install -y$missing"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing:$missing"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive $cmd -qq >/dev/null || {
        echo "apt-get failed; run: apt-get update && $cmd"; exit 1; }
else
    echo "Missing tools:$missing"
    echo "Run as root: apt-get update && $cmd"
    exit 1
fi
