;; The plane engine's adjacency (plane-adjacency.ts, planeAdjacency) in WebAssembly: it runs once
;; per count over every edge, and in a fresh process JavaScript that runs once is interpreted
;; (a first count of a small network spent about a sixth of its time here). The same steps as
;; the JavaScript, in the same order, so the same pairs in the same order:
;;   edges: every interior edge (tag >= 0) with its line, side, cell and start/end along the
;;          line (projection on the line's direction (-c, b)), in cell order;
;;   sort:  counting sort by line id, then each line's edges by start: insertion runs of 16, then
;;          bottom-up stable merges (the JavaScript's algorithm, so ties and NaNs fall the same);
;;   sweep: per line, its plus and minus edges in sorted order, and a pair (min cell, max cell)
;;          where the two overlap by more than 1e-10 of the line's extent.
;; Every array is at a byte offset chosen by the caller (f64 arrays 8-aligned); `adjacency`
;; returns the number of pairs written (two u32 each) at $pairs.
;; Regenerate plane-adjacency-wasm.ts after editing: `npx tsx scripts/build-engine-wasm.ts`.
(module
  (memory (export "memory") 32)

  ;; The interior edges (see above); returns their count m.
  (func $edges
    (param $cells i32) (param $start i32) (param $vert i32) (param $tags i32) (param $lines i32)
    (param $line i32) (param $side i32) (param $t0 i32) (param $t1 i32) (param $cell i32)
    (result i32)
    (local $i i32) (local $k i32) (local $s i32) (local $end i32) (local $tag i32) (local $next i32)
    (local $id i32) (local $e i32) (local $b f64) (local $c f64) (local $ta f64) (local $tb f64)
    (local $at i32)
    (block $cells_done
      (loop $cells_loop
        (br_if $cells_done (i32.ge_u (local.get $i) (local.get $cells)))
        (local.set $s (i32.load (i32.add (local.get $start) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $end (i32.load offset=4 (i32.add (local.get $start) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $k (local.get $s))
        (block $edges_done
          (loop $edges_loop
            (br_if $edges_done (i32.ge_u (local.get $k) (local.get $end)))
            (local.set $tag (i32.load (i32.add (local.get $tags) (i32.shl (local.get $k) (i32.const 2)))))
            (if (i32.ge_s (local.get $tag) (i32.const 0))
              (then
                (local.set $next (select (i32.add (local.get $k) (i32.const 1)) (local.get $s)
                  (i32.lt_u (i32.add (local.get $k) (i32.const 1)) (local.get $end))))
                (local.set $id (i32.shr_s (local.get $tag) (i32.const 1)))
                (local.set $at (i32.add (local.get $lines) (i32.mul (local.get $id) (i32.const 24))))
                (local.set $b (f64.load offset=8 (local.get $at)))
                (local.set $c (f64.load offset=16 (local.get $at)))
                ;; -c * u + b * v, as the JavaScript writes it.
                (local.set $at (i32.add (local.get $vert) (i32.shl (local.get $k) (i32.const 4))))
                (local.set $ta (f64.add (f64.mul (f64.neg (local.get $c)) (f64.load (local.get $at)))
                  (f64.mul (local.get $b) (f64.load offset=8 (local.get $at)))))
                (local.set $at (i32.add (local.get $vert) (i32.shl (local.get $next) (i32.const 4))))
                (local.set $tb (f64.add (f64.mul (f64.neg (local.get $c)) (f64.load (local.get $at)))
                  (f64.mul (local.get $b) (f64.load offset=8 (local.get $at)))))
                (i32.store (i32.add (local.get $line) (i32.shl (local.get $e) (i32.const 2))) (local.get $id))
                (i32.store (i32.add (local.get $side) (i32.shl (local.get $e) (i32.const 2))) (i32.and (local.get $tag) (i32.const 1)))
                (f64.store (i32.add (local.get $t0) (i32.shl (local.get $e) (i32.const 3))) (f64.min (local.get $ta) (local.get $tb)))
                (f64.store (i32.add (local.get $t1) (i32.shl (local.get $e) (i32.const 3))) (f64.max (local.get $ta) (local.get $tb)))
                (i32.store (i32.add (local.get $cell) (i32.shl (local.get $e) (i32.const 2))) (local.get $i))
                (local.set $e (i32.add (local.get $e) (i32.const 1)))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $edges_loop)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $cells_loop)))
    (local.get $e))

  ;; t0 of edge order[p] (byte offsets of the arrays).
  (func $key (param $t0 i32) (param $order i32) (param $p i32) (result f64)
    (f64.load (i32.add (local.get $t0)
      (i32.shl (i32.load (i32.add (local.get $order) (i32.shl (local.get $p) (i32.const 2)))) (i32.const 3)))))

  ;; order[0 .. m): the edges by line, then by start along it, ties in edge order.
  (func $sort
    (param $m i32) (param $line i32) (param $t0 i32) (param $order i32) (param $spare i32) (param $first i32) (param $fill i32)
    (local $k i32) (local $l i32) (local $lineCount i32) (local $id i32) (local $at i32)
    (local $lo i32) (local $hi i32) (local $r i32) (local $end i32) (local $h i32) (local $g i32) (local $x i32) (local $key f64)
    (local $src i32) (local $dst i32) (local $width i32) (local $mid i32) (local $i i32) (local $j i32) (local $o i32) (local $tmp i32)
    ;; lineCount = largest id + 1
    (local.set $k (i32.const 0))
    (block $d1 (loop $l1
      (br_if $d1 (i32.ge_u (local.get $k) (local.get $m)))
      (local.set $id (i32.load (i32.add (local.get $line) (i32.shl (local.get $k) (i32.const 2)))))
      (if (i32.ge_s (local.get $id) (local.get $lineCount)) (then (local.set $lineCount (i32.add (local.get $id) (i32.const 1)))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $l1)))
    ;; first[0 .. lineCount] = 0, then counts at id + 1, then prefix sums
    (local.set $l (i32.const 0))
    (block $d2 (loop $l2
      (br_if $d2 (i32.gt_u (local.get $l) (local.get $lineCount)))
      (i32.store (i32.add (local.get $first) (i32.shl (local.get $l) (i32.const 2))) (i32.const 0))
      (local.set $l (i32.add (local.get $l) (i32.const 1)))
      (br $l2)))
    (local.set $k (i32.const 0))
    (block $d3 (loop $l3
      (br_if $d3 (i32.ge_u (local.get $k) (local.get $m)))
      (local.set $at (i32.add (local.get $first)
        (i32.shl (i32.add (i32.load (i32.add (local.get $line) (i32.shl (local.get $k) (i32.const 2)))) (i32.const 1)) (i32.const 2))))
      (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (i32.const 1)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $l3)))
    (local.set $l (i32.const 0))
    (block $d4 (loop $l4
      (br_if $d4 (i32.ge_u (local.get $l) (local.get $lineCount)))
      (local.set $at (i32.add (local.get $first) (i32.shl (local.get $l) (i32.const 2))))
      (i32.store offset=4 (local.get $at) (i32.add (i32.load offset=4 (local.get $at)) (i32.load (local.get $at))))
      (i32.store (i32.add (local.get $fill) (i32.shl (local.get $l) (i32.const 2))) (i32.load (local.get $at)))
      (local.set $l (i32.add (local.get $l) (i32.const 1)))
      (br $l4)))
    (local.set $k (i32.const 0))
    (block $d5 (loop $l5
      (br_if $d5 (i32.ge_u (local.get $k) (local.get $m)))
      (local.set $at (i32.add (local.get $fill)
        (i32.shl (i32.load (i32.add (local.get $line) (i32.shl (local.get $k) (i32.const 2)))) (i32.const 2))))
      (i32.store (i32.add (local.get $order) (i32.shl (i32.load (local.get $at)) (i32.const 2))) (local.get $k))
      (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (i32.const 1)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $l5)))
    ;; each line: insertion runs of 16, then bottom-up merges between order and spare
    (local.set $l (i32.const 0))
    (block $lines_done (loop $lines
      (br_if $lines_done (i32.ge_u (local.get $l) (local.get $lineCount)))
      (local.set $lo (i32.load (i32.add (local.get $first) (i32.shl (local.get $l) (i32.const 2)))))
      (local.set $hi (i32.load offset=4 (i32.add (local.get $first) (i32.shl (local.get $l) (i32.const 2)))))
      (local.set $r (local.get $lo))
      (block $runs_done (loop $runs
        (br_if $runs_done (i32.ge_s (local.get $r) (local.get $hi)))
        (local.set $end (select (i32.add (local.get $r) (i32.const 16)) (local.get $hi)
          (i32.lt_s (i32.add (local.get $r) (i32.const 16)) (local.get $hi))))
        (local.set $h (i32.add (local.get $r) (i32.const 1)))
        (block $ins_done (loop $ins
          (br_if $ins_done (i32.ge_s (local.get $h) (local.get $end)))
          (local.set $x (i32.load (i32.add (local.get $order) (i32.shl (local.get $h) (i32.const 2)))))
          (local.set $key (f64.load (i32.add (local.get $t0) (i32.shl (local.get $x) (i32.const 3)))))
          (local.set $g (i32.sub (local.get $h) (i32.const 1)))
          (block $shift_done (loop $shift
            (br_if $shift_done (i32.lt_s (local.get $g) (local.get $r)))
            (br_if $shift_done (i32.eqz (f64.gt (call $key (local.get $t0) (local.get $order) (local.get $g)) (local.get $key))))
            (i32.store offset=4 (i32.add (local.get $order) (i32.shl (local.get $g) (i32.const 2)))
              (i32.load (i32.add (local.get $order) (i32.shl (local.get $g) (i32.const 2)))))
            (local.set $g (i32.sub (local.get $g) (i32.const 1)))
            (br $shift)))
          (i32.store offset=4 (i32.add (local.get $order) (i32.shl (local.get $g) (i32.const 2))) (local.get $x))
          (local.set $h (i32.add (local.get $h) (i32.const 1)))
          (br $ins)))
        (local.set $r (i32.add (local.get $r) (i32.const 16)))
        (br $runs)))
      (local.set $src (local.get $order))
      (local.set $dst (local.get $spare))
      (local.set $width (i32.const 16))
      (block $widths_done (loop $widths
        (br_if $widths_done (i32.ge_s (local.get $width) (i32.sub (local.get $hi) (local.get $lo))))
        (local.set $r (local.get $lo))
        (block $merges_done (loop $merges
          (br_if $merges_done (i32.ge_s (local.get $r) (local.get $hi)))
          (local.set $mid (select (i32.add (local.get $r) (local.get $width)) (local.get $hi)
            (i32.lt_s (i32.add (local.get $r) (local.get $width)) (local.get $hi))))
          (local.set $end (select (i32.add (local.get $r) (i32.shl (local.get $width) (i32.const 1))) (local.get $hi)
            (i32.lt_s (i32.add (local.get $r) (i32.shl (local.get $width) (i32.const 1))) (local.get $hi))))
          (local.set $i (local.get $r))
          (local.set $j (local.get $mid))
          (local.set $o (local.get $r))
          ;; equal keys take the left run first: stable
          (block $both_done (loop $both
            (br_if $both_done (i32.ge_s (local.get $i) (local.get $mid)))
            (br_if $both_done (i32.ge_s (local.get $j) (local.get $end)))
            (if (f64.lt (call $key (local.get $t0) (local.get $src) (local.get $j)) (call $key (local.get $t0) (local.get $src) (local.get $i)))
              (then
                (i32.store (i32.add (local.get $dst) (i32.shl (local.get $o) (i32.const 2)))
                  (i32.load (i32.add (local.get $src) (i32.shl (local.get $j) (i32.const 2)))))
                (local.set $j (i32.add (local.get $j) (i32.const 1))))
              (else
                (i32.store (i32.add (local.get $dst) (i32.shl (local.get $o) (i32.const 2)))
                  (i32.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 2)))))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))))
            (local.set $o (i32.add (local.get $o) (i32.const 1)))
            (br $both)))
          (block $left_done (loop $left
            (br_if $left_done (i32.ge_s (local.get $i) (local.get $mid)))
            (i32.store (i32.add (local.get $dst) (i32.shl (local.get $o) (i32.const 2)))
              (i32.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 2)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (local.set $o (i32.add (local.get $o) (i32.const 1)))
            (br $left)))
          (block $right_done (loop $right
            (br_if $right_done (i32.ge_s (local.get $j) (local.get $end)))
            (i32.store (i32.add (local.get $dst) (i32.shl (local.get $o) (i32.const 2)))
              (i32.load (i32.add (local.get $src) (i32.shl (local.get $j) (i32.const 2)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (local.set $o (i32.add (local.get $o) (i32.const 1)))
            (br $right)))
          (local.set $r (i32.add (local.get $r) (i32.shl (local.get $width) (i32.const 1))))
          (br $merges)))
        (local.set $tmp (local.get $src))
        (local.set $src (local.get $dst))
        (local.set $dst (local.get $tmp))
        (local.set $width (i32.shl (local.get $width) (i32.const 1)))
        (br $widths)))
      (if (i32.ne (local.get $src) (local.get $order))
        (then
          (local.set $k (local.get $lo))
          (block $copy_done (loop $copy
            (br_if $copy_done (i32.ge_s (local.get $k) (local.get $hi)))
            (i32.store (i32.add (local.get $order) (i32.shl (local.get $k) (i32.const 2)))
              (i32.load (i32.add (local.get $src) (i32.shl (local.get $k) (i32.const 2)))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $copy)))))
      (local.set $l (i32.add (local.get $l) (i32.const 1)))
      (br $lines)))
  )

  ;; The pairs, line by line (see above); returns their count.
  (func $sweep
    (param $m i32) (param $order i32) (param $line i32) (param $side i32) (param $t0 i32) (param $t1 i32) (param $cell i32)
    (param $plus i32) (param $minus i32) (param $pairs i32)
    (result i32)
    (local $g i32) (local $h i32) (local $e i32) (local $id i32) (local $np i32) (local $nm i32) (local $count i32)
    (local $lo f64) (local $hi f64) (local $tol f64) (local $i i32) (local $j i32) (local $a i32) (local $b i32)
    (local $ca i32) (local $cb i32) (local $t1a f64) (local $t1b f64)
    (block $groups_done (loop $groups
      (br_if $groups_done (i32.ge_s (local.get $g) (local.get $m)))
      (local.set $id (i32.load (i32.add (local.get $line)
        (i32.shl (i32.load (i32.add (local.get $order) (i32.shl (local.get $g) (i32.const 2)))) (i32.const 2)))))
      (local.set $h (local.get $g))
      (local.set $lo (f64.const inf))
      (local.set $hi (f64.const -inf))
      (local.set $np (i32.const 0))
      (local.set $nm (i32.const 0))
      (block $group_done (loop $group
        (br_if $group_done (i32.ge_s (local.get $h) (local.get $m)))
        (local.set $e (i32.load (i32.add (local.get $order) (i32.shl (local.get $h) (i32.const 2)))))
        (br_if $group_done (i32.ne (i32.load (i32.add (local.get $line) (i32.shl (local.get $e) (i32.const 2)))) (local.get $id)))
        (if (i32.eqz (i32.load (i32.add (local.get $side) (i32.shl (local.get $e) (i32.const 2)))))
          (then
            (i32.store (i32.add (local.get $plus) (i32.shl (local.get $np) (i32.const 2))) (local.get $e))
            (local.set $np (i32.add (local.get $np) (i32.const 1))))
          (else
            (i32.store (i32.add (local.get $minus) (i32.shl (local.get $nm) (i32.const 2))) (local.get $e))
            (local.set $nm (i32.add (local.get $nm) (i32.const 1)))))
        (local.set $lo (f64.min (local.get $lo) (f64.load (i32.add (local.get $t0) (i32.shl (local.get $e) (i32.const 3))))))
        (local.set $hi (f64.max (local.get $hi) (f64.load (i32.add (local.get $t1) (i32.shl (local.get $e) (i32.const 3))))))
        (local.set $h (i32.add (local.get $h) (i32.const 1)))
        (br $group)))
      ;; overlaps shorter than this are rounding at shared endpoints, not shared edges
      (local.set $tol (f64.mul (f64.const 1e-10) (f64.sub (local.get $hi) (local.get $lo))))
      (local.set $i (i32.const 0))
      (local.set $j (i32.const 0))
      (block $pair_done (loop $pair
        (br_if $pair_done (i32.ge_s (local.get $i) (local.get $np)))
        (br_if $pair_done (i32.ge_s (local.get $j) (local.get $nm)))
        (local.set $a (i32.load (i32.add (local.get $plus) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $b (i32.load (i32.add (local.get $minus) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $t1a (f64.load (i32.add (local.get $t1) (i32.shl (local.get $a) (i32.const 3)))))
        (local.set $t1b (f64.load (i32.add (local.get $t1) (i32.shl (local.get $b) (i32.const 3)))))
        (if (f64.gt
              (f64.sub (f64.min (local.get $t1a) (local.get $t1b))
                (f64.max (f64.load (i32.add (local.get $t0) (i32.shl (local.get $a) (i32.const 3))))
                  (f64.load (i32.add (local.get $t0) (i32.shl (local.get $b) (i32.const 3))))))
              (local.get $tol))
          (then
            (local.set $ca (i32.load (i32.add (local.get $cell) (i32.shl (local.get $a) (i32.const 2)))))
            (local.set $cb (i32.load (i32.add (local.get $cell) (i32.shl (local.get $b) (i32.const 2)))))
            (i32.store (i32.add (local.get $pairs) (i32.shl (local.get $count) (i32.const 3)))
              (select (local.get $ca) (local.get $cb) (i32.lt_s (local.get $ca) (local.get $cb))))
            (i32.store offset=4 (i32.add (local.get $pairs) (i32.shl (local.get $count) (i32.const 3)))
              (select (local.get $ca) (local.get $cb) (i32.gt_s (local.get $ca) (local.get $cb))))
            (local.set $count (i32.add (local.get $count) (i32.const 1)))))
        (if (f64.lt (local.get $t1a) (local.get $t1b))
          (then (local.set $i (i32.add (local.get $i) (i32.const 1))))
          (else (local.set $j (i32.add (local.get $j) (i32.const 1)))))
        (br $pair)))
      (local.set $g (local.get $h))
      (br $groups)))
    (local.get $count))

  ;; planeAdjacency: `at` holds the byte offsets of start, vert, tags, lines, line, side, t0, t1,
  ;; cell, order, spare, first, fill, plus, minus, pairs (i32 each); returns the pair count.
  (func (export "adjacency") (param $cells i32) (param $at i32) (result i32)
    (local $m i32)
    (local.set $m (call $edges (local.get $cells)
      (i32.load offset=0 (local.get $at)) (i32.load offset=4 (local.get $at)) (i32.load offset=8 (local.get $at))
      (i32.load offset=12 (local.get $at)) (i32.load offset=16 (local.get $at)) (i32.load offset=20 (local.get $at))
      (i32.load offset=24 (local.get $at)) (i32.load offset=28 (local.get $at)) (i32.load offset=32 (local.get $at))))
    (call $sort (local.get $m) (i32.load offset=16 (local.get $at)) (i32.load offset=24 (local.get $at))
      (i32.load offset=36 (local.get $at)) (i32.load offset=40 (local.get $at)) (i32.load offset=44 (local.get $at))
      (i32.load offset=48 (local.get $at)))
    (call $sweep (local.get $m) (i32.load offset=36 (local.get $at)) (i32.load offset=16 (local.get $at))
      (i32.load offset=20 (local.get $at)) (i32.load offset=24 (local.get $at)) (i32.load offset=28 (local.get $at))
      (i32.load offset=32 (local.get $at)) (i32.load offset=52 (local.get $at)) (i32.load offset=56 (local.get $at))
      (i32.load offset=60 (local.get $at))))

;; A plane share's adjacency (parallel/plane-join.ts), in one pass where the JavaScript took
  ;; two: the same edges and sort as `adjacency`, over every line; the sweep only over lines with
  ;; ids >= $base (the share's own pairs: planeAdjacency of the share with the other edges
  ;; untagged gives the same, as each line is sorted and swept on its own, its edges in cell
  ;; order either way); the edges on lines below $base come first in `order`, and their count is
  ;; stored at byte 64 (the caller gathers them for the join). Returns the pair count.
  (func (export "share") (param $cells i32) (param $at i32) (param $base i32) (result i32)
    (local $m i32) (local $g0 i32) (local $k i32) (local $line i32) (local $order i32)
    (local.set $m (call $edges (local.get $cells)
      (i32.load offset=0 (local.get $at)) (i32.load offset=4 (local.get $at)) (i32.load offset=8 (local.get $at))
      (i32.load offset=12 (local.get $at)) (i32.load offset=16 (local.get $at)) (i32.load offset=20 (local.get $at))
      (i32.load offset=24 (local.get $at)) (i32.load offset=28 (local.get $at)) (i32.load offset=32 (local.get $at))))
    (call $sort (local.get $m) (i32.load offset=16 (local.get $at)) (i32.load offset=24 (local.get $at))
      (i32.load offset=36 (local.get $at)) (i32.load offset=40 (local.get $at)) (i32.load offset=44 (local.get $at))
      (i32.load offset=48 (local.get $at)))
    (local.set $line (i32.load offset=16 (local.get $at)))
    (block $count_done (loop $count
      (br_if $count_done (i32.ge_u (local.get $k) (local.get $m)))
      (if (i32.lt_s (i32.load (i32.add (local.get $line) (i32.shl (local.get $k) (i32.const 2)))) (local.get $base))
        (then (local.set $g0 (i32.add (local.get $g0) (i32.const 1)))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $count)))
    (i32.store (i32.const 64) (local.get $g0))
    (local.set $order (i32.add (i32.load offset=36 (local.get $at)) (i32.shl (local.get $g0) (i32.const 2))))
    (call $sweep (i32.sub (local.get $m) (local.get $g0)) (local.get $order) (local.get $line)
      (i32.load offset=20 (local.get $at)) (i32.load offset=24 (local.get $at)) (i32.load offset=28 (local.get $at))
      (i32.load offset=32 (local.get $at)) (i32.load offset=52 (local.get $at)) (i32.load offset=56 (local.get $at))
      (i32.load offset=60 (local.get $at))))

  ;; mapsEqual of partition.ts: maps a and b (byte offsets of `size` f64) equal to 1e-9 of their
  ;; size, per coefficient (channels per output: a constant, then slopes over |y| <= reach).
  (func $mapsEqual (param $a i32) (param $b i32) (param $size i32) (param $channels i32) (param $reach f64) (result i32)
    (local $o i32) (local $c i32) (local $k i32) (local $sa f64) (local $sb f64) (local $slopes f64) (local $scale f64)
    (local $tol f64) (local $slopeTol f64) (local $limit f64)
    (block $scan_done (loop $scan
      (br_if $scan_done (i32.ge_s (local.get $o) (local.get $size)))
      (local.set $sa (f64.abs (f64.load (i32.add (local.get $a) (i32.shl (local.get $o) (i32.const 3))))))
      (local.set $sb (f64.abs (f64.load (i32.add (local.get $b) (i32.shl (local.get $o) (i32.const 3))))))
      (local.set $slopes (f64.const 0))
      (local.set $c (i32.const 1))
      (block $ca_done (loop $ca
        (br_if $ca_done (i32.ge_s (local.get $c) (local.get $channels)))
        (local.set $slopes (f64.add (local.get $slopes)
          (f64.abs (f64.load (i32.add (local.get $a) (i32.shl (i32.add (local.get $o) (local.get $c)) (i32.const 3)))))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $ca)))
      (local.set $sa (f64.add (local.get $sa) (f64.mul (local.get $slopes) (local.get $reach))))
      (local.set $slopes (f64.const 0))
      (local.set $c (i32.const 1))
      (block $cb_done (loop $cb
        (br_if $cb_done (i32.ge_s (local.get $c) (local.get $channels)))
        (local.set $slopes (f64.add (local.get $slopes)
          (f64.abs (f64.load (i32.add (local.get $b) (i32.shl (i32.add (local.get $o) (local.get $c)) (i32.const 3)))))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $cb)))
      (local.set $sb (f64.add (local.get $sb) (f64.mul (local.get $slopes) (local.get $reach))))
      (local.set $scale (f64.max (f64.max (local.get $scale) (local.get $sa)) (local.get $sb)))
      (local.set $o (i32.add (local.get $o) (local.get $channels)))
      (br $scan)))
    (local.set $tol (f64.mul (f64.const 1e-9) (local.get $scale)))
    (local.set $slopeTol (f64.div (local.get $tol) (local.get $reach)))
    (block $diff_done (loop $diff
      (br_if $diff_done (i32.ge_s (local.get $k) (local.get $size)))
      (local.set $limit (select (local.get $tol) (local.get $slopeTol) (i32.eqz (i32.rem_s (local.get $k) (local.get $channels)))))
      (if (f64.gt
            (f64.abs (f64.sub (f64.load (i32.add (local.get $a) (i32.shl (local.get $k) (i32.const 3))))
              (f64.load (i32.add (local.get $b) (i32.shl (local.get $k) (i32.const 3))))))
            (local.get $limit))
        (then (return (i32.const 0))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $diff)))
    (i32.const 1))

  ;; The root of x in the union-find forest at $parent, halving the path (partition.ts's find).
  (func $find (param $parent i32) (param $x i32) (result i32)
    (local $at i32)
    (block $done (loop $up
      (local.set $at (i32.add (local.get $parent) (i32.shl (local.get $x) (i32.const 2))))
      (br_if $done (i32.eq (i32.load (local.get $at)) (local.get $x)))
      (i32.store (local.get $at)
        (i32.load (i32.add (local.get $parent) (i32.shl (i32.load (local.get $at)) (i32.const 2)))))
      (local.set $x (i32.load (local.get $at)))
      (br $up)))
    (local.get $x))

  ;; linearPieces of partition.ts: adjacent cells (pairs: u32 pairs) whose output maps (mapSize
  ;; f64 each at $maps) are equal join one piece; pieces numbered in order of first appearance
  ;; into $pieceOf (i32 per cell); returns their count. $parent and $id: i32 per cell, scratch.
  (func (export "pieces")
    (param $cells i32) (param $pairs i32) (param $pairCount i32) (param $maps i32) (param $mapSize i32) (param $channels i32)
    (param $reach f64) (param $parent i32) (param $id i32) (param $pieceOf i32) (result i32)
    (local $i i32) (local $p i32) (local $a i32) (local $b i32) (local $ra i32) (local $rb i32) (local $count i32)
    (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $mapSize) (i32.const 3)))
    (block $init_done (loop $init
      (br_if $init_done (i32.ge_u (local.get $i) (local.get $cells)))
      (i32.store (i32.add (local.get $parent) (i32.shl (local.get $i) (i32.const 2))) (local.get $i))
      (i32.store (i32.add (local.get $id) (i32.shl (local.get $i) (i32.const 2))) (i32.const -1))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $init)))
    (block $pairs_done (loop $pairs_loop
      (br_if $pairs_done (i32.ge_u (local.get $p) (local.get $pairCount)))
      (local.set $a (i32.load (i32.add (local.get $pairs) (i32.shl (local.get $p) (i32.const 3)))))
      (local.set $b (i32.load offset=4 (i32.add (local.get $pairs) (i32.shl (local.get $p) (i32.const 3)))))
      (if (call $mapsEqual
            (i32.add (local.get $maps) (i32.mul (local.get $a) (local.get $rowBytes)))
            (i32.add (local.get $maps) (i32.mul (local.get $b) (local.get $rowBytes)))
            (local.get $mapSize) (local.get $channels) (local.get $reach))
        (then
          (local.set $ra (call $find (local.get $parent) (local.get $a)))
          (local.set $rb (call $find (local.get $parent) (local.get $b)))
          (if (i32.ne (local.get $ra) (local.get $rb))
            (then (i32.store (i32.add (local.get $parent) (i32.shl (local.get $ra) (i32.const 2))) (local.get $rb))))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $pairs_loop)))
    (local.set $i (i32.const 0))
    (block $number_done (loop $number
      (br_if $number_done (i32.ge_u (local.get $i) (local.get $cells)))
      (local.set $ra (i32.add (local.get $id) (i32.shl (call $find (local.get $parent) (local.get $i)) (i32.const 2))))
      (if (i32.lt_s (i32.load (local.get $ra)) (i32.const 0))
        (then
          (i32.store (local.get $ra) (local.get $count))
          (local.set $count (i32.add (local.get $count) (i32.const 1)))))
      (i32.store (i32.add (local.get $pieceOf) (i32.shl (local.get $i) (i32.const 2))) (i32.load (local.get $ra)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $number)))
    (local.get $count))
)
