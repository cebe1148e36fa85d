#!/usr/bin/perl
# SPDX-License-Identifier: Apache-2.0
# Verifies DKIM signatures with Mail::DKIM (Debian: libmail-dkim-perl), an
# implementation independent of ours.
#
# usage: maildkim-verify.pl KEYS MESSAGE...
# KEYS is a file of lines "NAME<TAB>TXT"; Mail::DKIM's DNS query is replaced by a
# lookup in that table, split into 255-byte strings as DNS would carry them.
# Prints one line per signature: "MESSAGE INDEX pass|fail|... d=DOMAIN s=SELECTOR".
use strict;
use warnings;
use Mail::DKIM::Verifier;
use Mail::DKIM::DNS;
use Net::DNS;

my ($keys, @messages) = @ARGV;
die "usage: $0 KEYS MESSAGE...\n" unless $keys && @messages;

my %table;
open(my $kf, '<', $keys) or die "$keys: $!\n";
while (my $line = <$kf>) {
    chomp $line;
    next unless length $line;
    my ($name, $txt) = split /\t/, $line, 2;
    $name = lc $name;
    $name =~ s/\.$//;
    $table{$name} = $txt;
}
close $kf;

{
    no warnings 'redefine';
    *Mail::DKIM::DNS::query = sub {
        my ($domain, $type) = @_;
        my $name = lc $domain;
        $name =~ s/\.$//;
        return () unless $type eq 'TXT' && exists $table{$name};
        my $txt = $table{$name};
        my @strings = unpack('(A255)*', $txt);
        return (Net::DNS::RR->new(name => $name, type => 'TXT', txtdata => [@strings]));
    };
}

for my $path (@messages) {
    open(my $fh, '<:raw', $path) or die "$path: $!\n";
    my $dkim = Mail::DKIM::Verifier->new();
    while (read($fh, my $buf, 65536)) {  # our files already have CRLF line endings
        $dkim->PRINT($buf);
    }
    close $fh;
    $dkim->CLOSE();
    my $idx = 0;
    for my $sig ($dkim->signatures) {
        printf "%s %d %s d=%s s=%s\n", $path, $idx++, $sig->result, ($sig->domain // ''),
            ($sig->selector // '');
    }
}
