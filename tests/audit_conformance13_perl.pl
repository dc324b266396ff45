#!/usr/bin/env perl
# Round 13: the random unstructured fields of tests/audit_conformance13.rs decoded a second
# time by Perl's Encode::MIME::Header (no code shared with the Rust test's decoder).
# Input: one case per line, "utf8<TAB>hex(unfolded value)<TAB>hex(expected text)".
# The decoded value, outer white space trimmed, must equal the expected text exactly.
# Prints failing cases and ends with "N passed, M failed".
use strict;
use warnings;
use Encode qw(decode);

binmode STDOUT, ':encoding(UTF-8)';
my ($passed, $failed) = (0, 0);
open my $fh, '<', $ARGV[0] or die "open $ARGV[0]: $!";
while (my $line = <$fh>) {
    chomp $line;
    my ($utf8, $vhex, $whex) = split /\t/, $line;
    my $raw = pack('H*', $vhex);
    $raw = decode('utf8', $raw, Encode::FB_CROAK) if $utf8;
    my $want = decode('utf8', pack('H*', $whex), Encode::FB_CROAK);
    my $got = decode('MIME-Header', $raw);
    $got =~ s/^[ \t]+|[ \t]+$//g;
    if ($got eq $want) {
        $passed++;
    } else {
        $failed++;
        print "FAIL: got [$got]\n  want [$want]\n  raw [$raw]\n" if $failed <= 10;
    }
}
print "$passed passed, $failed failed\n";
exit($failed ? 1 : 0);
