package dev.kanna.metrics;

import dev.kanna.metrics.Entities.Span;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Chunking as seqeval's get_entities does it; seqeval's spans end inclusive, ours exclusive. */
class EntitiesTest {

    @Test
    void seqevalGetEntities() {
        // seqeval test_get_entities: [('MISC', 3, 5), ('PER', 7, 8)].
        assertEquals(List.of(new Span("MISC", 3, 6), new Span("PER", 7, 9)),
                Entities.of(List.of("O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O", "B-PER", "I-PER")));
        // get_entities docstring: [('PER', 0, 1), ('LOC', 3, 3)].
        assertEquals(List.of(new Span("PER", 0, 2), new Span("LOC", 3, 4)), Entities.of(List.of("B-PER", "I-PER", "O", "B-LOC")));
    }

    @Test
    void conllevalRulesForIllFormedSequences() {
        // I- after O starts an entity, a type switch ends one, E- without B- is a one-token entity.
        assertEquals(List.of(new Span("PER", 1, 3)), Entities.of(List.of("O", "I-PER", "I-PER")));
        assertEquals(List.of(new Span("PER", 0, 1), new Span("LOC", 1, 2)), Entities.of(List.of("B-PER", "I-LOC")));
        assertEquals(List.of(new Span("PER", 1, 2)), Entities.of(List.of("O", "E-PER")));
        assertEquals(List.of(new Span("PER", 0, 1), new Span("PER", 1, 2)), Entities.of(List.of("I-PER", "B-PER")));
    }

    @Test
    void iobesAndBilou() {
        var expected = List.of(new Span("PER", 0, 1), new Span("LOC", 1, 4), new Span("LOC", 5, 6));
        assertEquals(expected, Entities.of(List.of("S-PER", "B-LOC", "I-LOC", "E-LOC", "O", "S-LOC")));
        assertEquals(expected, Entities.of(List.of("U-PER", "B-LOC", "I-LOC", "L-LOC", "O", "U-LOC")));
    }

    @Test
    void typeIsEverythingAfterTheFirstDash() {
        assertEquals(List.of(new Span("PER-X", 0, 1)), Entities.of(List.of("B-PER-X")));
        assertEquals(List.of(), Entities.of(List.of()));
    }

    @Test
    void emptyTagIsRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> Entities.of(List.of("O", "")));
        assertEquals("tag 1 is empty", e.getMessage());
    }
}
