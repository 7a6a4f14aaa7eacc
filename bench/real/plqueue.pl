# plqueue.pl: Perl ithreads (threads, threads::shared, Thread::Queue: pthread
# mutexes and condition variables inside perl): two consumers of a queue
# add into a shared, locked total.  Correct: any interleaving passes.
# Run by bench/real.sh as perl plqueue.pl.
use strict;
use warnings;
use threads;
use threads::shared;
use Thread::Queue;

my $q = Thread::Queue->new();
my $total :shared = 0;
my @consumers = map {
  threads->create(sub {
    while (defined(my $x = $q->dequeue())) {
      lock($total);
      $total += $x;
    }
  })
} 1 .. 2;
$q->enqueue($_) for 1 .. 20;
$q->end();
$_->join for @consumers;
die "lost an update: $total\n" unless $total == 210;
