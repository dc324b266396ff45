#!/usr/bin/env perl
# A second, independent decoder for the cases tests/differential.rs writes: Perl's
# Encode::MIME::Header (RFC 2047), which shares no code with CPython's email package.
#
# Input: the same JSON-lines file differential.py reads, one formatted field per line:
#   [id, kind, name, lf, utf8, max_line_len, encoding, input, expect, output_hex]
#
# Checked:
# - unstructured: the unfolded value, decoded, equals the input (caller folds removed, outer
#   white space trimmed), exactly;
# - address lists and mailboxes: the decoded value holds every expected addr-spec, and every
#   display name (quoted-strings unquoted, white space runs collapsed on both sides) in order,
#   since Encode::MIME::Header decodes text, not address syntax.
# Every line of every field must also be at most 998 octets, and no encoded-word longer than
# 75 characters (RFC 2047 section 2) may appear.
#
# Prints failing cases and ends with "N passed, M failed" (N counts the checked cases).
use strict;
use warnings;
use Encode qw(decode);
use JSON::PP;

binmode STDOUT, ':encoding(UTF-8)';
my $MAX_SHOWN = 12;
my ($passed, $failed, $shown) = (0, 0, 0);

sub collapse {
    my ($s) = @_;
    $s = '' unless defined $s;
    $s =~ s/[ \t]+/ /g;
    $s =~ s/^ | $//g;
    return $s;
}

# The value as a reader sees it: folds removed, the name and its colon cut off.
sub unfolded_value {
    my ($out, $name, $lf) = @_;
    my $eol = $lf ? "\n" : "\r\n";
    $out =~ s/\Q$eol\E\z//;
    $out =~ s/\Q$eol\E(?=[ \t])//g;
    return substr($out, length($name) + 1);
}

sub check_wire {
    my ($out, $lf) = @_;
    my $eol = $lf ? "\n" : "\r\n";
    for my $line (split /\Q$eol\E/, $out) {
        die sprintf("line of %d octets\n", length $line) if length($line) > 998;
    }
    while ($out =~ /(=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)/g) {
        die "encoded-word of " . length($1) . " characters: $1\n" if length($1) > 75;
    }
}

sub check_case {
    my ($c) = @_;
    my (undef, $kind, $name, $lf, $utf8, undef, undef, $input, $expect, $hex) = @$c;
    my $out = pack('H*', $hex);
    check_wire($out, $lf);
    my $raw = unfolded_value($out, $name, $lf);
    # RFC 6532 output carries raw UTF-8, which is text before any encoded-word is decoded.
    $raw = decode('UTF-8', $raw, Encode::FB_CROAK) if $utf8;
    if ($kind eq 'unstructured') {
        my $decoded = decode('MIME-Header', $raw);
        my $want = $input;
        $want =~ s/\r?\n(?=[ \t])//g;
        $want =~ s/^[ \t]+|[ \t]+$//g;
        (my $got = $decoded) =~ s/^[ \t]+|[ \t]+$//g;
        die "decoded [$got], want [$want]\n" if $got ne $want;
        return;
    }
    # Address kinds: quoted-strings unquoted (encoded-words never stand inside one), the
    # text between them decoded.
    my ($text, $rest) = ('', '');
    while ($raw =~ /\G(?:"((?:[^"\\]|\\.)*)"|([^"]))/gcs) {
        if (defined $1) {
            (my $q = $1) =~ s/\\(.)/$1/gs;
            $text .= decode('MIME-Header', $rest) . $q;
            $rest = '';
        } else {
            $rest .= $2;
        }
    }
    $text .= decode('MIME-Header', $rest);
    $text = collapse($text);
    my $at = 0;
    for my $element (@$expect) {
        my (undef, $members) = @$element;
        for my $m (@$members) {
            my ($display, $addr) = @$m;
            # The addr-spec as written may have a quoted local part, unquoted in `$text`.
            (my $bare = $addr) =~ s/"((?:[^"\\]|\\.)*)"/my $q = $1; $q =~ s!\\(.)!$1!gs; $q/ge;
            for my $plain (grep { length } (collapse($display), $bare)) {
                my $p = index($text, $plain, $at);
                die "[$plain] not found in order in [$text]\n" if $p < 0;
                $at = $p + length $plain;
            }
        }
    }
}

open my $f, '<:raw', $ARGV[0] or die "cannot open $ARGV[0]: $!";
while (my $line = <$f>) {
    my $c = JSON::PP->new->utf8->decode($line);
    my $kind = $c->[1];
    next unless $kind eq 'unstructured' || $kind eq 'address' || $kind eq 'mailboxes';
    if (eval { check_case($c); 1 }) {
        $passed++;
    } else {
        $failed++;
        if ($shown++ < $MAX_SHOWN) {
            my $out = pack('H*', $c->[9]);
            print "FAIL case $c->[0] ($kind) $c->[2]: $@";
            print "   input:  ", JSON::PP->new->ascii->encode([$c->[7]]), "\n";
            print "   output: ", JSON::PP->new->ascii->encode([$out]), "\n";
        }
    }
}
printf "perl %s, Encode %s\n", $^V, $Encode::VERSION;
print "$passed passed, $failed failed\n";
