#!/bin/sh
# A stand-in for ssh in the remote tests: records how it was called (and whether the agent
# socket reached it), then runs the remote command on this machine, as sshd would.
# Usage, as GIT_SSH_COMMAND: sh fake-ssh.sh LOG [ssh options] [user@]host command
log="$1"
shift
printf 'args: %s\n' "$*" >>"$log"
printf 'agent: %s\n' "${SSH_AUTH_SOCK:-}" >>"$log"
# OpenSSH's feature check (`ssh -G host`): say yes, so we are called like OpenSSH.
if [ "$1" = "-G" ]; then
    exit 0
fi
while [ $# -gt 0 ]; do
    case "$1" in
    -o) shift 2 ;;
    -p*) shift ;;
    *) break ;;
    esac
done
shift # [user@]host
exec sh -c "$*"
