#!/bin/sh
# mailseal: runs the relay's jar with the Java runtime (17 or later) of JAVA_HOME or the PATH.
# MAILSEAL_JAVA_OPTS adds JVM options, e.g. MAILSEAL_JAVA_OPTS=-Xmx512m.
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" ${MAILSEAL_JAVA_OPTS:-} -jar /usr/share/mailseal/mailseal.jar "$@"
