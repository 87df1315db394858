package io.calicowebhook.lint;

/** A place in an input: line and column from 1, the column counting code points. */
record Position(int line, int column) {}
