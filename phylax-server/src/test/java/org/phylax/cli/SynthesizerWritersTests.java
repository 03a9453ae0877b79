package org.phylax.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The hand-off of {@code ./phylax synth}'s batches to its writer threads, without a database. */
class SynthesizerWritersTests {

  @Test
  void submitWhenWritersBusyThenHoldsAtMostWritersPlusWaitingBatches() throws Exception {
    Synthesizer.Writers writers = new Synthesizer.Writers(2);
    AtomicInteger held = new AtomicInteger();
    AtomicInteger written = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    Thread caller =
        new Thread(
            () -> {
              for (int i = 0; i < 10; i++) {
                held.incrementAndGet();
                writers.submit(
                    () -> {
                      await(release);
                      held.decrementAndGet();
                      written.incrementAndGet();
                    });
              }
            });
    caller.start();
    Thread.sleep(300);
    assertThat(caller.isAlive()).as("caller blocked while the writers are full").isTrue();
    // two being written, WAITING handed over, and the one the caller is trying to hand over
    assertThat(held).hasValue(2 + Synthesizer.Writers.WAITING + 1);
    release.countDown();
    caller.join(10_000);
    writers.finish();
    writers.rethrowFailure();
    assertThat(written).hasValue(10);
  }

  @Test
  void submitWhenABatchFailsThenLaterOnesAreNotWrittenAndInFlightOnesFinish() {
    Synthesizer.Writers writers = new Synthesizer.Writers(2);
    List<Integer> written = new CopyOnWriteArrayList<>();
    CountDownLatch slowStarted = new CountDownLatch(1);
    IllegalStateException boom = new IllegalStateException("batch 2 failed");
    writers.submit(
        () -> {
          slowStarted.countDown();
          sleep(300);
          written.add(1);
        });
    await(slowStarted);
    writers.submit(
        () -> {
          throw boom;
        });
    for (int i = 0; i < 50 && !writers.failed(); i++) {
      sleep(20);
    }
    assertThat(writers.failed()).isTrue();
    writers.submit(() -> written.add(3));
    writers.finish();
    assertThat(written)
        .as("the batch in flight finished, the one after the failure never ran")
        .containsExactly(1);
    assertThatThrownBy(writers::rethrowFailure).isSameAs(boom);
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
