#!/bin/sh
# The sendmail interface of mailseal: /usr/sbin/sendmail points here through update-alternatives
# when no other mail transport agent provides it. Options: mailseal sendmail --help.
exec /usr/bin/mailseal sendmail "$@"
