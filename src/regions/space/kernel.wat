;; The space engine's affine steps (space/affine-maps.ts, AffineMaps.affine) in WebAssembly SIMD, on maps of
;; C channels (channel c of an n-vector at x + 8 c n). Each f64x2 lane is one output, and each
;; output is summed in exactly the order of the JavaScript loops (mul, then add, each rounded; no
;; fused multiply-add), so the results are the same to the bit. Eight outputs stay in four vector
;; accumulators (and four for the sums of |terms|) while the inputs stream past; the last m % 8
;; outputs go two, then one at a time.
;; wt is the step's matrix transposed (column i of W at wt + 8 i m). Pointers are byte addresses.
;; At the end, what a piecewise step does with its input map where it lies here: the range checks
;; (step-maps.ts's inRange), in 3-D every unit against the cell's box (box-sides.ts's boxSides3),
;; and an elementwise step's states applied to a piece's map (step-maps.ts's applyElementwise).
;; Regenerate kernel-wasm.ts after editing: `npx tsx scripts/build-engine-wasm.ts`.
(module
  (memory (export "memory") 1)

  ;; out[c m + r] = sum_j wt[j m + r] x[c n + j] (from 0, j in order), plus bias[r] for c = 0;
  ;; abs[c m + r] = sum_j |wt[j m + r] x[c n + j]| (the per-unit rounding bound's sums);
;; and the input's `stats` into $stats (one call from JavaScript instead of two).
  (func (export "product")
    (param $x i32) (param $n i32) (param $m i32) (param $C i32) (param $wt i32) (param $bias i32)
    (param $out i32) (param $abs i32) (param $stats i32)
    (local $c i32) (local $r i32) (local $j i32) (local $mb i32) (local $col i32) (local $xc i32)
    (local $o i32) (local $p v128) (local $t v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $xs f64) (local $ts f64) (local $as f64) (local $ss f64)
    (call $stats (local.get $x) (local.get $n) (local.get $C) (local.get $stats))
    (local.set $mb (i32.shl (local.get $m) (i32.const 3)))
    (block $channels_done
      (loop $channels
        (br_if $channels_done (i32.ge_u (local.get $c) (local.get $C)))
        (local.set $xc (i32.add (local.get $x) (i32.shl (i32.mul (local.get $c) (local.get $n)) (i32.const 3))))
        (local.set $r (i32.const 0))
        ;; Blocks of 8 outputs.
        (block $blocks_done
          (loop $blocks
            (br_if $blocks_done (i32.gt_u (i32.add (local.get $r) (i32.const 8)) (local.get $m)))
            (local.set $a0 (v128.const f64x2 0 0))
            (local.set $a1 (v128.const f64x2 0 0))
            (local.set $a2 (v128.const f64x2 0 0))
            (local.set $a3 (v128.const f64x2 0 0))
            (local.set $s0 (v128.const f64x2 0 0))
            (local.set $s1 (v128.const f64x2 0 0))
            (local.set $s2 (v128.const f64x2 0 0))
            (local.set $s3 (v128.const f64x2 0 0))
            (local.set $col (i32.add (local.get $wt) (i32.shl (local.get $r) (i32.const 3))))
            (local.set $j (i32.const 0))
            (block $inputs_done
              (loop $inputs
                (br_if $inputs_done (i32.ge_u (local.get $j) (local.get $n)))
                (local.set $p (f64x2.splat (f64.load (i32.add (local.get $xc) (i32.shl (local.get $j) (i32.const 3))))))
                (local.set $t (f64x2.mul (v128.load offset=0 (local.get $col)) (local.get $p)))
                (local.set $a0 (f64x2.add (local.get $a0) (local.get $t)))
                (local.set $s0 (f64x2.add (local.get $s0) (f64x2.abs (local.get $t))))
                (local.set $t (f64x2.mul (v128.load offset=16 (local.get $col)) (local.get $p)))
                (local.set $a1 (f64x2.add (local.get $a1) (local.get $t)))
                (local.set $s1 (f64x2.add (local.get $s1) (f64x2.abs (local.get $t))))
                (local.set $t (f64x2.mul (v128.load offset=32 (local.get $col)) (local.get $p)))
                (local.set $a2 (f64x2.add (local.get $a2) (local.get $t)))
                (local.set $s2 (f64x2.add (local.get $s2) (f64x2.abs (local.get $t))))
                (local.set $t (f64x2.mul (v128.load offset=48 (local.get $col)) (local.get $p)))
                (local.set $a3 (f64x2.add (local.get $a3) (local.get $t)))
                (local.set $s3 (f64x2.add (local.get $s3) (f64x2.abs (local.get $t))))
                (local.set $col (i32.add (local.get $col) (local.get $mb)))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $inputs)))
            (if (i32.eqz (local.get $c))
              (then
                (local.set $o (i32.add (local.get $bias) (i32.shl (local.get $r) (i32.const 3))))
                (local.set $a0 (f64x2.add (local.get $a0) (v128.load offset=0 (local.get $o))))
                (local.set $a1 (f64x2.add (local.get $a1) (v128.load offset=16 (local.get $o))))
                (local.set $a2 (f64x2.add (local.get $a2) (v128.load offset=32 (local.get $o))))
                (local.set $a3 (f64x2.add (local.get $a3) (v128.load offset=48 (local.get $o))))))
            (local.set $o (i32.shl (i32.add (i32.mul (local.get $c) (local.get $m)) (local.get $r)) (i32.const 3)))
            (v128.store offset=0 (i32.add (local.get $out) (local.get $o)) (local.get $a0))
            (v128.store offset=16 (i32.add (local.get $out) (local.get $o)) (local.get $a1))
            (v128.store offset=32 (i32.add (local.get $out) (local.get $o)) (local.get $a2))
            (v128.store offset=48 (i32.add (local.get $out) (local.get $o)) (local.get $a3))
            (v128.store offset=0 (i32.add (local.get $abs) (local.get $o)) (local.get $s0))
            (v128.store offset=16 (i32.add (local.get $abs) (local.get $o)) (local.get $s1))
            (v128.store offset=32 (i32.add (local.get $abs) (local.get $o)) (local.get $s2))
            (v128.store offset=48 (i32.add (local.get $abs) (local.get $o)) (local.get $s3))
            (local.set $r (i32.add (local.get $r) (i32.const 8)))
            (br $blocks)))
        ;; The rest, one output at a time.
        (block $rest_done
          (loop $rest
            (br_if $rest_done (i32.ge_u (local.get $r) (local.get $m)))
            (local.set $as (f64.const 0))
            (local.set $ss (f64.const 0))
            (local.set $col (i32.add (local.get $wt) (i32.shl (local.get $r) (i32.const 3))))
            (local.set $j (i32.const 0))
            (block $inputs1_done
              (loop $inputs1
                (br_if $inputs1_done (i32.ge_u (local.get $j) (local.get $n)))
                (local.set $ts (f64.mul (f64.load (local.get $col))
                  (f64.load (i32.add (local.get $xc) (i32.shl (local.get $j) (i32.const 3))))))
                (local.set $as (f64.add (local.get $as) (local.get $ts)))
                (local.set $ss (f64.add (local.get $ss) (f64.abs (local.get $ts))))
                (local.set $col (i32.add (local.get $col) (local.get $mb)))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $inputs1)))
            (if (i32.eqz (local.get $c))
              (then (local.set $as (f64.add (local.get $as)
                (f64.load (i32.add (local.get $bias) (i32.shl (local.get $r) (i32.const 3))))))))
            (local.set $o (i32.shl (i32.add (i32.mul (local.get $c) (local.get $m)) (local.get $r)) (i32.const 3)))
            (f64.store (i32.add (local.get $out) (local.get $o)) (local.get $as))
            (f64.store (i32.add (local.get $abs) (local.get $o)) (local.get $ss))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rest)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $channels))))

  ;; The family update (see space/affine-maps.ts): per channel c, out = after + sum over inputs i in order
  ;; with d = x[c n + i] - ref[c n + i] != 0 of wt[i m + r] d; abs = sum of |those terms|; and,
  ;; when some d != 0, err = famErr + (terms + 2) u (|after| + 2 abs), else err = famErr.
  ;; list is scratch for the (i, d) pairs of one channel (n of them: 16 bytes each).
  (func (export "family")
    (param $x i32) (param $ref i32) (param $n i32) (param $m i32) (param $C i32) (param $wt i32)
    (param $after i32) (param $famErr i32) (param $out i32) (param $err i32) (param $list i32)
    (local $c i32) (local $r i32) (local $i i32) (local $k i32) (local $mb i32) (local $o i32)
    (local $terms i32) (local $xc i32) (local $rc i32) (local $at i32) (local $col i32)
    (local $d f64) (local $g f64) (local $g2 v128) (local $p v128) (local $t v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $as f64) (local $ss f64) (local $ts f64)
    (local.set $mb (i32.shl (local.get $m) (i32.const 3)))
    (block $channels_done
      (loop $channels
        (br_if $channels_done (i32.ge_u (local.get $c) (local.get $C)))
        (local.set $xc (i32.add (local.get $x) (i32.shl (i32.mul (local.get $c) (local.get $n)) (i32.const 3))))
        (local.set $rc (i32.add (local.get $ref) (i32.shl (i32.mul (local.get $c) (local.get $n)) (i32.const 3))))
        ;; The non-zero differences, in order: column address, then d.
        (local.set $terms (i32.const 0))
        (local.set $i (i32.const 0))
        (block $diffs_done
          (loop $diffs
            (br_if $diffs_done (i32.ge_u (local.get $i) (local.get $n)))
            (local.set $d (f64.sub (f64.load (i32.add (local.get $xc) (i32.shl (local.get $i) (i32.const 3))))
              (f64.load (i32.add (local.get $rc) (i32.shl (local.get $i) (i32.const 3))))))
            (if (f64.ne (local.get $d) (f64.const 0))
              (then
                (local.set $at (i32.add (local.get $list) (i32.shl (local.get $terms) (i32.const 4))))
                (i32.store (local.get $at) (i32.add (local.get $wt) (i32.mul (local.get $i) (local.get $mb))))
                (f64.store offset=8 (local.get $at) (local.get $d))
                (local.set $terms (i32.add (local.get $terms) (i32.const 1)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $diffs)))
        (local.set $g (f64.mul (f64.convert_i32_u (i32.add (local.get $terms) (i32.const 2))) (f64.const 0x1p-53)))
        (local.set $g2 (f64x2.splat (local.get $g)))
        (local.set $r (i32.const 0))
        (block $blocks_done
          (loop $blocks
            (br_if $blocks_done (i32.gt_u (i32.add (local.get $r) (i32.const 8)) (local.get $m)))
            (local.set $o (i32.shl (i32.add (i32.mul (local.get $c) (local.get $m)) (local.get $r)) (i32.const 3)))
            (local.set $a0 (v128.load offset=0 (i32.add (local.get $after) (local.get $o))))
            (local.set $a1 (v128.load offset=16 (i32.add (local.get $after) (local.get $o))))
            (local.set $a2 (v128.load offset=32 (i32.add (local.get $after) (local.get $o))))
            (local.set $a3 (v128.load offset=48 (i32.add (local.get $after) (local.get $o))))
            (local.set $s0 (v128.const f64x2 0 0))
            (local.set $s1 (v128.const f64x2 0 0))
            (local.set $s2 (v128.const f64x2 0 0))
            (local.set $s3 (v128.const f64x2 0 0))
            (local.set $k (i32.const 0))
            (block $terms_done
              (loop $terms_loop
                (br_if $terms_done (i32.ge_u (local.get $k) (local.get $terms)))
                (local.set $at (i32.add (local.get $list) (i32.shl (local.get $k) (i32.const 4))))
                (local.set $col (i32.add (i32.load (local.get $at)) (i32.shl (local.get $r) (i32.const 3))))
                (local.set $p (v128.load64_splat offset=8 (local.get $at)))
                (local.set $t (f64x2.mul (v128.load offset=0 (local.get $col)) (local.get $p)))
                (local.set $a0 (f64x2.add (local.get $a0) (local.get $t)))
                (local.set $s0 (f64x2.add (local.get $s0) (f64x2.abs (local.get $t))))
                (local.set $t (f64x2.mul (v128.load offset=16 (local.get $col)) (local.get $p)))
                (local.set $a1 (f64x2.add (local.get $a1) (local.get $t)))
                (local.set $s1 (f64x2.add (local.get $s1) (f64x2.abs (local.get $t))))
                (local.set $t (f64x2.mul (v128.load offset=32 (local.get $col)) (local.get $p)))
                (local.set $a2 (f64x2.add (local.get $a2) (local.get $t)))
                (local.set $s2 (f64x2.add (local.get $s2) (f64x2.abs (local.get $t))))
                (local.set $t (f64x2.mul (v128.load offset=48 (local.get $col)) (local.get $p)))
                (local.set $a3 (f64x2.add (local.get $a3) (local.get $t)))
                (local.set $s3 (f64x2.add (local.get $s3) (f64x2.abs (local.get $t))))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $terms_loop)))
            (v128.store offset=0 (i32.add (local.get $out) (local.get $o)) (local.get $a0))
            (v128.store offset=16 (i32.add (local.get $out) (local.get $o)) (local.get $a1))
            (v128.store offset=32 (i32.add (local.get $out) (local.get $o)) (local.get $a2))
            (v128.store offset=48 (i32.add (local.get $out) (local.get $o)) (local.get $a3))
            ;; err = famErr + g (|after| + 2 abs) when some term was added.
            (if (i32.eqz (local.get $terms))
              (then
                (v128.store offset=0 (i32.add (local.get $err) (local.get $o)) (v128.load offset=0 (i32.add (local.get $famErr) (local.get $o))))
                (v128.store offset=16 (i32.add (local.get $err) (local.get $o)) (v128.load offset=16 (i32.add (local.get $famErr) (local.get $o))))
                (v128.store offset=32 (i32.add (local.get $err) (local.get $o)) (v128.load offset=32 (i32.add (local.get $famErr) (local.get $o))))
                (v128.store offset=48 (i32.add (local.get $err) (local.get $o)) (v128.load offset=48 (i32.add (local.get $famErr) (local.get $o)))))
              (else
                (v128.store offset=0 (i32.add (local.get $err) (local.get $o))
                  (f64x2.add (v128.load offset=0 (i32.add (local.get $famErr) (local.get $o)))
                    (f64x2.mul (local.get $g2) (f64x2.add (f64x2.abs (v128.load offset=0 (i32.add (local.get $after) (local.get $o))))
                      (f64x2.mul (v128.const f64x2 2 2) (local.get $s0))))))
                (v128.store offset=16 (i32.add (local.get $err) (local.get $o))
                  (f64x2.add (v128.load offset=16 (i32.add (local.get $famErr) (local.get $o)))
                    (f64x2.mul (local.get $g2) (f64x2.add (f64x2.abs (v128.load offset=16 (i32.add (local.get $after) (local.get $o))))
                      (f64x2.mul (v128.const f64x2 2 2) (local.get $s1))))))
                (v128.store offset=32 (i32.add (local.get $err) (local.get $o))
                  (f64x2.add (v128.load offset=32 (i32.add (local.get $famErr) (local.get $o)))
                    (f64x2.mul (local.get $g2) (f64x2.add (f64x2.abs (v128.load offset=32 (i32.add (local.get $after) (local.get $o))))
                      (f64x2.mul (v128.const f64x2 2 2) (local.get $s2))))))
                (v128.store offset=48 (i32.add (local.get $err) (local.get $o))
                  (f64x2.add (v128.load offset=48 (i32.add (local.get $famErr) (local.get $o)))
                    (f64x2.mul (local.get $g2) (f64x2.add (f64x2.abs (v128.load offset=48 (i32.add (local.get $after) (local.get $o))))
                      (f64x2.mul (v128.const f64x2 2 2) (local.get $s3))))))))
            (local.set $r (i32.add (local.get $r) (i32.const 8)))
            (br $blocks)))
        (block $rest_done
          (loop $rest
            (br_if $rest_done (i32.ge_u (local.get $r) (local.get $m)))
            (local.set $o (i32.shl (i32.add (i32.mul (local.get $c) (local.get $m)) (local.get $r)) (i32.const 3)))
            (local.set $as (f64.load (i32.add (local.get $after) (local.get $o))))
            (local.set $ss (f64.const 0))
            (local.set $k (i32.const 0))
            (block $terms1_done
              (loop $terms1
                (br_if $terms1_done (i32.ge_u (local.get $k) (local.get $terms)))
                (local.set $at (i32.add (local.get $list) (i32.shl (local.get $k) (i32.const 4))))
                (local.set $ts (f64.mul (f64.load (i32.add (i32.load (local.get $at)) (i32.shl (local.get $r) (i32.const 3))))
                  (f64.load offset=8 (local.get $at))))
                (local.set $as (f64.add (local.get $as) (local.get $ts)))
                (local.set $ss (f64.add (local.get $ss) (f64.abs (local.get $ts))))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $terms1)))
            (f64.store (i32.add (local.get $out) (local.get $o)) (local.get $as))
            (if (i32.eqz (local.get $terms))
              (then (f64.store (i32.add (local.get $err) (local.get $o)) (f64.load (i32.add (local.get $famErr) (local.get $o)))))
              (else (f64.store (i32.add (local.get $err) (local.get $o))
                (f64.add (f64.load (i32.add (local.get $famErr) (local.get $o)))
                  (f64.mul (local.get $g) (f64.add (f64.abs (f64.load (i32.add (local.get $after) (local.get $o))))
                    (f64.mul (f64.const 2) (local.get $ss))))))))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rest)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $channels))))
;; What affineError (map-error.ts) reads of a step's input, per channel c of an n-vector at
;; x + 8 c n, into out + 32 c: the number of non-zero entries, 1 when every one is a power of
;; two (a non-zero exponent and a zero fraction: +-1 included, as there), the largest and the
;; smallest non-zero |entry|. Two entries per f64x2 step (zeros leave the largest alone, as |0| is
;; +0 and the largest starts at +0, and count as +inf for the smallest), an odd last one alone.
;; The lanes keep their extremes with pmax / pmin (one instruction each, where max / min's NaN
;; and signed-zero rules cost a sequence on the loop's critical path); without NaNs they give
;; Math.max and Math.min's values in any order (no zeros of either sign compete), and a channel
;; with a NaN gets NaN for both, as Math.max and Math.min give.
  (func $stats (export "stats") (param $x i32) (param $n i32) (param $C i32) (param $out i32)
    (local $c i32) (local $p i32) (local $end i32) (local $pairs i32) (local $v f64) (local $a f64)
    (local $bits i64) (local $vv v128) (local $nz v128) (local $av v128) (local $b v128)
    (local $count v128) (local $unitv v128) (local $lg v128) (local $sm v128) (local $nan v128)
    (local $nonzero i32) (local $unit i32) (local $largest f64) (local $smallest f64)
    (block $channels_done
      (loop $channels
        (br_if $channels_done (i32.ge_u (local.get $c) (local.get $C)))
        (local.set $p (i32.add (local.get $x) (i32.shl (i32.mul (local.get $c) (local.get $n)) (i32.const 3))))
        (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 3))))
        (local.set $pairs (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
        (local.set $count (v128.const i64x2 0 0))
        (local.set $unitv (v128.const i64x2 -1 -1))
        (local.set $lg (v128.const f64x2 0 0))
        (local.set $sm (v128.const f64x2 inf inf))
        (local.set $nan (v128.const i64x2 0 0))
        (block $pairs_done
          (loop $pairs_loop
            (br_if $pairs_done (i32.ge_u (local.get $p) (local.get $pairs)))
            (local.set $vv (v128.load (local.get $p)))
            (local.set $nz (f64x2.ne (local.get $vv) (v128.const f64x2 0 0)))
            ;; A non-zero lane is all ones (-1): subtracting counts it.
            (local.set $count (i64x2.sub (local.get $count) (local.get $nz)))
            (local.set $unitv (v128.and (local.get $unitv)
              (v128.or (v128.not (local.get $nz))
                (v128.and
                  (i64x2.ne (v128.and (local.get $vv) (v128.const i64x2 0x7ff0000000000000 0x7ff0000000000000)) (v128.const i64x2 0 0))
                  (i64x2.eq (v128.and (local.get $vv) (v128.const i64x2 0x000fffffffffffff 0x000fffffffffffff)) (v128.const i64x2 0 0))))))
            (local.set $nan (v128.or (local.get $nan) (f64x2.ne (local.get $vv) (local.get $vv))))
            (local.set $av (f64x2.abs (local.get $vv)))
            (local.set $lg (f64x2.pmax (local.get $lg) (local.get $av)))
            (local.set $sm (f64x2.pmin (local.get $sm) (v128.bitselect (local.get $av) (v128.const f64x2 inf inf) (local.get $nz))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br $pairs_loop)))
        (local.set $nonzero (i32.wrap_i64 (i64.add (i64x2.extract_lane 0 (local.get $count)) (i64x2.extract_lane 1 (local.get $count)))))
        (local.set $unit (i64x2.all_true (local.get $unitv)))
        (local.set $largest (f64.max (f64x2.extract_lane 0 (local.get $lg)) (f64x2.extract_lane 1 (local.get $lg))))
        (local.set $smallest (f64.min (f64x2.extract_lane 0 (local.get $sm)) (f64x2.extract_lane 1 (local.get $sm))))
        (if (v128.any_true (local.get $nan))
          (then
            (local.set $largest (f64.const nan))
            (local.set $smallest (f64.const nan))))
        ;; An odd last entry.
        (if (i32.lt_u (local.get $p) (local.get $end))
          (then
            (local.set $v (f64.load (local.get $p)))
            (if (f64.ne (local.get $v) (f64.const 0))
              (then
                (local.set $nonzero (i32.add (local.get $nonzero) (i32.const 1)))
                (local.set $bits (i64.reinterpret_f64 (local.get $v)))
                (local.set $unit (i32.and (local.get $unit)
                  (i32.and
                    (i64.ne (i64.and (local.get $bits) (i64.const 0x7ff0000000000000)) (i64.const 0))
                    (i64.eqz (i64.and (local.get $bits) (i64.const 0x000fffffffffffff))))))
                (local.set $a (f64.abs (local.get $v)))
                (local.set $largest (f64.max (local.get $largest) (local.get $a)))
                (local.set $smallest (f64.min (local.get $smallest) (local.get $a)))))))
        (local.set $p (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 5))))
        (f64.store offset=0 (local.get $p) (f64.convert_i32_u (local.get $nonzero)))
        (f64.store offset=8 (local.get $p) (f64.convert_i32_u (local.get $unit)))
        (f64.store offset=16 (local.get $p) (local.get $largest))
        (f64.store offset=24 (local.get $p) (local.get $smallest))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $channels))))
;; box-sides.ts's boxSides3: the sign of every breakpoint hyperplane z_j - t_b of an elementwise
;; step over a 3-D cell's bounding box [lo, hi] (vertices' error bound r), into the byte
;; sides[j T + b]: 1 (Above), -1 (Below) or 2 (Split, undecided). Two units per f64x2 step (an odd
;; last one in both lanes, its second lane not written), each lane the JavaScript loop's
;; operations in its order (mul, then add, each rounded; no fused multiply-add); its branch on the
;; sign of a slope c (c >= 0: c lo to the least, c hi to the greatest) is a select of the same two
;; products. z and e are the step's input map and its bounds (4 channels of n), t its T
;; breakpoints; box holds lo (3), hi (3), r and rel = gamma(3) + eps (all i32 parameters: a call
;; with f64 ones went through V8's generic wrapper from JavaScript).
  (func (export "boxSides3")
    (param $z i32) (param $e i32) (param $n i32) (param $t i32) (param $T i32) (param $sides i32) (param $box i32)
    (local $lo0 f64) (local $lo1 f64) (local $lo2 f64) (local $hi0 f64) (local $hi1 f64) (local $hi2 f64)
    (local $r f64) (local $rel f64)
    (local $j i32) (local $b i32) (local $nb i32) (local $p i32) (local $q i32) (local $out i32)
    (local $Y0 v128) (local $Y1 v128) (local $Y2 v128) (local $R v128) (local $REL v128)
    (local $LO0 v128) (local $LO1 v128) (local $LO2 v128) (local $HI0 v128) (local $HI1 v128) (local $HI2 v128)
    (local $z0 v128) (local $c0 v128) (local $c1 v128) (local $c2 v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128)
    (local $ez v128) (local $e0 v128) (local $e1 v128) (local $e2 v128)
    (local $m0 v128) (local $m1 v128) (local $m2 v128)
    (local $tb v128) (local $h0 v128) (local $v v128) (local $min v128) (local $max v128)
    (local $mag v128) (local $bound v128) (local $plo v128) (local $phi v128) (local $tol v128)
    (local $side v128)
    (local.set $lo0 (f64.load offset=0 (local.get $box)))
    (local.set $lo1 (f64.load offset=8 (local.get $box)))
    (local.set $lo2 (f64.load offset=16 (local.get $box)))
    (local.set $hi0 (f64.load offset=24 (local.get $box)))
    (local.set $hi1 (f64.load offset=32 (local.get $box)))
    (local.set $hi2 (f64.load offset=40 (local.get $box)))
    (local.set $r (f64.load offset=48 (local.get $box)))
    (local.set $rel (f64.load offset=56 (local.get $box)))
    (local.set $Y0 (f64x2.splat (f64.add (f64.max (f64.abs (local.get $lo0)) (f64.abs (local.get $hi0))) (local.get $r))))
    (local.set $Y1 (f64x2.splat (f64.add (f64.max (f64.abs (local.get $lo1)) (f64.abs (local.get $hi1))) (local.get $r))))
    (local.set $Y2 (f64x2.splat (f64.add (f64.max (f64.abs (local.get $lo2)) (f64.abs (local.get $hi2))) (local.get $r))))
    (local.set $R (f64x2.splat (local.get $r)))
    (local.set $REL (f64x2.splat (local.get $rel)))
    (local.set $LO0 (f64x2.splat (local.get $lo0)))
    (local.set $LO1 (f64x2.splat (local.get $lo1)))
    (local.set $LO2 (f64x2.splat (local.get $lo2)))
    (local.set $HI0 (f64x2.splat (local.get $hi0)))
    (local.set $HI1 (f64x2.splat (local.get $hi1)))
    (local.set $HI2 (f64x2.splat (local.get $hi2)))
    (local.set $nb (i32.shl (local.get $n) (i32.const 3)))
    (block $units_done
      (loop $units
        (br_if $units_done (i32.ge_u (local.get $j) (local.get $n)))
        ;; Channel c of unit j at 8 (c n + j) from z and e.
        (local.set $p (i32.add (local.get $z) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $q (i32.add (local.get $e) (i32.shl (local.get $j) (i32.const 3))))
        (if (i32.lt_u (i32.add (local.get $j) (i32.const 1)) (local.get $n))
          (then
            (local.set $z0 (v128.load (local.get $p)))
            (local.set $c0 (v128.load (i32.add (local.get $p) (local.get $nb))))
            (local.set $c1 (v128.load (i32.add (local.get $p) (i32.shl (local.get $nb) (i32.const 1)))))
            (local.set $c2 (v128.load (i32.add (local.get $p) (i32.mul (local.get $nb) (i32.const 3)))))
            (local.set $ez (v128.load (local.get $q)))
            (local.set $e0 (v128.load (i32.add (local.get $q) (local.get $nb))))
            (local.set $e1 (v128.load (i32.add (local.get $q) (i32.shl (local.get $nb) (i32.const 1)))))
            (local.set $e2 (v128.load (i32.add (local.get $q) (i32.mul (local.get $nb) (i32.const 3))))))
          (else
            (local.set $z0 (v128.load64_splat (local.get $p)))
            (local.set $c0 (v128.load64_splat (i32.add (local.get $p) (local.get $nb))))
            (local.set $c1 (v128.load64_splat (i32.add (local.get $p) (i32.shl (local.get $nb) (i32.const 1)))))
            (local.set $c2 (v128.load64_splat (i32.add (local.get $p) (i32.mul (local.get $nb) (i32.const 3)))))
            (local.set $ez (v128.load64_splat (local.get $q)))
            (local.set $e0 (v128.load64_splat (i32.add (local.get $q) (local.get $nb))))
            (local.set $e1 (v128.load64_splat (i32.add (local.get $q) (i32.shl (local.get $nb) (i32.const 1)))))
            (local.set $e2 (v128.load64_splat (i32.add (local.get $q) (i32.mul (local.get $nb) (i32.const 3)))))))
        (local.set $a0 (f64x2.abs (local.get $c0)))
        (local.set $a1 (f64x2.abs (local.get $c1)))
        (local.set $a2 (f64x2.abs (local.get $c2)))
        (local.set $m0 (f64x2.ge (local.get $c0) (v128.const f64x2 0 0)))
        (local.set $m1 (f64x2.ge (local.get $c1) (v128.const f64x2 0 0)))
        (local.set $m2 (f64x2.ge (local.get $c2) (v128.const f64x2 0 0)))
        (local.set $b (i32.const 0))
        (block $breaks_done
          (loop $breaks
            (br_if $breaks_done (i32.ge_u (local.get $b) (local.get $T)))
            (local.set $tb (v128.load64_splat (i32.add (local.get $t) (i32.shl (local.get $b) (i32.const 3)))))
            (local.set $h0 (f64x2.sub (local.get $z0) (local.get $tb)))
            (local.set $min (local.get $h0))
            (local.set $max (local.get $h0))
            (local.set $mag (f64x2.abs (local.get $h0)))
            ;; bound = e_j + subtractionError(z0, t_b, h0) = |z0 - (h0 - v) + (-t_b - v)|, v = h0 - z0.
            (local.set $v (f64x2.sub (local.get $h0) (local.get $z0)))
            (local.set $bound (f64x2.add (local.get $ez)
              (f64x2.abs (f64x2.add
                (f64x2.sub (local.get $z0) (f64x2.sub (local.get $h0) (local.get $v)))
                (f64x2.sub (f64x2.neg (local.get $tb)) (local.get $v))))))
            ;; Coordinate 0.
            (local.set $mag (f64x2.add (local.get $mag) (f64x2.mul (local.get $a0) (local.get $Y0))))
            (local.set $bound (f64x2.add (local.get $bound)
              (f64x2.add (f64x2.mul (local.get $e0) (local.get $Y0)) (f64x2.mul (local.get $a0) (local.get $R)))))
            (local.set $plo (f64x2.mul (local.get $c0) (local.get $LO0)))
            (local.set $phi (f64x2.mul (local.get $c0) (local.get $HI0)))
            (local.set $min (f64x2.add (local.get $min) (v128.bitselect (local.get $plo) (local.get $phi) (local.get $m0))))
            (local.set $max (f64x2.add (local.get $max) (v128.bitselect (local.get $phi) (local.get $plo) (local.get $m0))))
            ;; Coordinate 1.
            (local.set $mag (f64x2.add (local.get $mag) (f64x2.mul (local.get $a1) (local.get $Y1))))
            (local.set $bound (f64x2.add (local.get $bound)
              (f64x2.add (f64x2.mul (local.get $e1) (local.get $Y1)) (f64x2.mul (local.get $a1) (local.get $R)))))
            (local.set $plo (f64x2.mul (local.get $c1) (local.get $LO1)))
            (local.set $phi (f64x2.mul (local.get $c1) (local.get $HI1)))
            (local.set $min (f64x2.add (local.get $min) (v128.bitselect (local.get $plo) (local.get $phi) (local.get $m1))))
            (local.set $max (f64x2.add (local.get $max) (v128.bitselect (local.get $phi) (local.get $plo) (local.get $m1))))
            ;; Coordinate 2.
            (local.set $mag (f64x2.add (local.get $mag) (f64x2.mul (local.get $a2) (local.get $Y2))))
            (local.set $bound (f64x2.add (local.get $bound)
              (f64x2.add (f64x2.mul (local.get $e2) (local.get $Y2)) (f64x2.mul (local.get $a2) (local.get $R)))))
            (local.set $plo (f64x2.mul (local.get $c2) (local.get $LO2)))
            (local.set $phi (f64x2.mul (local.get $c2) (local.get $HI2)))
            (local.set $min (f64x2.add (local.get $min) (v128.bitselect (local.get $plo) (local.get $phi) (local.get $m2))))
            (local.set $max (f64x2.add (local.get $max) (v128.bitselect (local.get $phi) (local.get $plo) (local.get $m2))))
            ;; tol = 2 bound + rel mag + Number.MIN_VALUE; Above when min > tol, else Below when max < -tol.
            (local.set $tol (f64x2.add
              (f64x2.add (f64x2.mul (v128.const f64x2 2 2) (local.get $bound)) (f64x2.mul (local.get $REL) (local.get $mag)))
              (v128.const f64x2 5e-324 5e-324)))
            (local.set $side (v128.bitselect
              (v128.const i64x2 1 1)
              (v128.bitselect (v128.const i64x2 -1 -1) (v128.const i64x2 2 2) (f64x2.lt (local.get $max) (f64x2.neg (local.get $tol))))
              (f64x2.gt (local.get $min) (local.get $tol))))
            (local.set $out (i32.add (local.get $sides) (i32.add (i32.mul (local.get $j) (local.get $T)) (local.get $b))))
            (i32.store8 (local.get $out) (i32.wrap_i64 (i64x2.extract_lane 0 (local.get $side))))
            (if (i32.lt_u (i32.add (local.get $j) (i32.const 1)) (local.get $n))
              (then (i32.store8 (i32.add (local.get $out) (local.get $T)) (i32.wrap_i64 (i64x2.extract_lane 1 (local.get $side))))))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $breaks)))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $units))))
;; step-maps.ts's inRange: 1 when none of the checks before a piecewise step refuses, else 0.
;; z holds `length` doubles (C channels of n; the first n the constant channel), e `elength`;
;; the domain's reach is the double at $reach (an f64 parameter sent calls through V8's generic wrapper).
;; Every entry of z finite and not subnormal; every entry of e finite; and the smallest non-zero
;; |slope| (z from n on) times reach not below 2^-1022. Two entries per f64x2 step, an odd last
;; one in both lanes or alone. z's test is written once, in one pass over both parts of z, and the
;; slopes' smallest is a second pass (as a function called per pair, the test took the whole check
;; 2.7 times as long in Node 20, which does not inline WebAssembly calls; the second pass costs
;; about 12 ns a call, 0.1% of a 3-D count). A lane's smallest is kept by pmin
;; (x < smallest ? x : smallest), which passes over NaN as inRange's `a < smallest` does (a NaN
;; refuses anyway).
  (func (export "inRange") (param $z i32) (param $n i32) (param $length i32) (param $e i32) (param $elength i32) (param $reach i32) (result i32)
    (local $p i32) (local $end i32) (local $pairs i32) (local $x v128) (local $a v128) (local $bad v128) (local $sm v128)
    (local $xs f64) (local $as f64) (local $smallest f64) (local $fail i32)
    ;; Every entry of z: finite (x - x is 0: not an infinity or NaN) and not subnormal (0, or |x| at
    ;; least 2^-1022); the pairs, then an odd last entry in both lanes.
    (local.set $p (local.get $z))
    (local.set $end (i32.add (local.get $z) (i32.shl (local.get $length) (i32.const 3))))
    (local.set $pairs (i32.add (local.get $z) (i32.shl (i32.and (local.get $length) (i32.const -2)) (i32.const 3))))
    (block $done0
      (loop $entries
        (br_if $done0 (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $x
          (if (result v128) (i32.lt_u (local.get $p) (local.get $pairs))
            (then (v128.load (local.get $p)))
            (else (f64x2.splat (f64.load (local.get $p))))))
        (local.set $bad (v128.or (local.get $bad) (v128.or
          (f64x2.ne (f64x2.sub (local.get $x) (local.get $x)) (v128.const f64x2 0 0))
          (v128.and (f64x2.lt (f64x2.abs (local.get $x)) (v128.const f64x2 0x1p-1022 0x1p-1022)) (f64x2.ne (local.get $x) (v128.const f64x2 0 0))))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $entries)))
    ;; The slopes' smallest non-zero magnitude.
    (local.set $sm (v128.const f64x2 inf inf))
    (local.set $p (i32.add (local.get $z) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $pairs (i32.add (local.get $p) (i32.shl (i32.and (i32.sub (local.get $length) (local.get $n)) (i32.const -2)) (i32.const 3))))
    (block $done1
      (loop $pairs1
        (br_if $done1 (i32.ge_u (local.get $p) (local.get $pairs)))
        (local.set $a (f64x2.abs (v128.load (local.get $p))))
        (local.set $sm (f64x2.pmin (local.get $sm)
          (v128.bitselect (local.get $a) (v128.const f64x2 inf inf) (f64x2.ne (local.get $a) (v128.const f64x2 0 0)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $pairs1)))
    (local.set $smallest (f64.min (f64x2.extract_lane 0 (local.get $sm)) (f64x2.extract_lane 1 (local.get $sm))))
    (if (i32.lt_u (local.get $p) (local.get $end))
      (then
        (local.set $as (f64.abs (f64.load (local.get $p))))
        (if (i32.and (f64.ne (local.get $as) (f64.const 0)) (f64.lt (local.get $as) (local.get $smallest)))
          (then (local.set $smallest (local.get $as))))))
    ;; The bounds: finite.
    (local.set $p (local.get $e))
    (local.set $end (i32.add (local.get $e) (i32.shl (local.get $elength) (i32.const 3))))
    (local.set $pairs (i32.add (local.get $e) (i32.shl (i32.and (local.get $elength) (i32.const -2)) (i32.const 3))))
    (block $done2
      (loop $pairs2
        (br_if $done2 (i32.ge_u (local.get $p) (local.get $pairs)))
        (local.set $x (v128.load (local.get $p)))
        (local.set $bad (v128.or (local.get $bad) (f64x2.ne (f64x2.sub (local.get $x) (local.get $x)) (v128.const f64x2 0 0))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $pairs2)))
    (if (i32.lt_u (local.get $p) (local.get $end))
      (then
        (local.set $xs (f64.load (local.get $p)))
        (if (f64.ne (f64.sub (local.get $xs) (local.get $xs)) (f64.const 0))
          (then (local.set $fail (i32.const 1))))))
    (if (v128.any_true (local.get $bad)) (then (local.set $fail (i32.const 1))))
    ;; !(smallest reach < 2^-1022)
    (if (f64.lt (f64.mul (local.get $smallest) (f64.load (local.get $reach))) (f64.const 0x1p-1022))
      (then (local.set $fail (i32.const 1))))
    (i32.eqz (local.get $fail)))
;; step-maps.ts's applyElementwise: an elementwise step's map for one piece, unit j in state
;; states[j] (a byte): dst[j] = slopes[state] src[j] + intercepts[state] in the constant channel,
;; dst[c n + j] = slopes[state] src[c n + j] in the others (mul, then add, each rounded), for C
;; channels of n. The units' slopes go to scratch (n doubles) first; the other channels then take
;; two units per f64x2 step, an odd last one alone.
  (func (export "elementwise")
    (param $states i32) (param $slopes i32) (param $intercepts i32) (param $src i32) (param $dst i32)
    (param $n i32) (param $C i32) (param $scratch i32)
    (local $j i32) (local $c i32) (local $state i32) (local $slope f64) (local $o i32) (local $pairs i32)
    (local $s i32) (local $d i32)
    (block $units_done
      (loop $units
        (br_if $units_done (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $state (i32.shl (i32.load8_u (i32.add (local.get $states) (local.get $j))) (i32.const 3)))
        (local.set $slope (f64.load (i32.add (local.get $slopes) (local.get $state))))
        (f64.store (i32.add (local.get $scratch) (i32.shl (local.get $j) (i32.const 3))) (local.get $slope))
        (local.set $o (i32.shl (local.get $j) (i32.const 3)))
        (f64.store (i32.add (local.get $dst) (local.get $o))
          (f64.add
            (f64.mul (local.get $slope) (f64.load (i32.add (local.get $src) (local.get $o))))
            (f64.load (i32.add (local.get $intercepts) (local.get $state)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $units)))
    (local.set $pairs (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3)))
    (local.set $c (i32.const 1))
    (block $channels_done
      (loop $channels
        (br_if $channels_done (i32.ge_u (local.get $c) (local.get $C)))
        (local.set $s (i32.add (local.get $src) (i32.shl (i32.mul (local.get $c) (local.get $n)) (i32.const 3))))
        (local.set $d (i32.add (local.get $dst) (i32.shl (i32.mul (local.get $c) (local.get $n)) (i32.const 3))))
        (local.set $o (i32.const 0))
        (block $pairs_done
          (loop $pair
            (br_if $pairs_done (i32.ge_u (local.get $o) (local.get $pairs)))
            (v128.store (i32.add (local.get $d) (local.get $o))
              (f64x2.mul (v128.load (i32.add (local.get $scratch) (local.get $o))) (v128.load (i32.add (local.get $s) (local.get $o)))))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (br $pair)))
        (if (i32.and (local.get $n) (i32.const 1))
          (then
            (f64.store (i32.add (local.get $d) (local.get $o))
              (f64.mul (f64.load (i32.add (local.get $scratch) (local.get $o))) (f64.load (i32.add (local.get $s) (local.get $o)))))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $channels)))
  )
)
