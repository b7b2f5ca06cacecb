;; denseColumns3 (dense-kernel.ts) in WebAssembly SIMD: for c in 0..2 and output i,
;;   out[c * m + i] = (c == 0 ? bias[i] : 0) + sum over k in order of WT[active[k] * m + i] * x_c[k].
;; The two f64x2 lanes are two outputs, so each output is summed in exactly the order of the
;; JavaScript kernel (mul, then add, each rounded: no fused multiply-add): the results are the
;; same to the bit. Four outputs x three channels stay in six vector accumulators while the
;; active units stream past; the last m % 4 outputs are done one at a time.
;; Each input is broadcast to both lanes by v128.load64_splat, one load instruction (an f64.load
;; then f64x2.splat also takes a shuffle on the vector pipes the products need: 5-9% slower).
;; Pointers are byte addresses in the module's memory; active holds i32 unit indices.
;; dense2 and gather2 below are the 2-channel versions (line engine).
;; Regenerate dense-kernel-wasm.ts after editing: `npx tsx scripts/build-engine-wasm.ts`.
(module
  (memory (export "memory") 1)
  (func (export "dense3")
    (param $wt i32) (param $m i32) (param $bias i32) (param $active i32) (param $count i32)
    (param $x0 i32) (param $x1 i32) (param $x2 i32) (param $out i32)
    (local $i i32) (local $k i32) (local $mb i32) (local $kb i32) (local $col i32) (local $o i32)
    (local $p v128) (local $q v128) (local $r v128) (local $w v128)
    (local $a0 v128) (local $b0 v128) (local $c0 v128) (local $a1 v128) (local $b1 v128) (local $c1 v128)
    (local $sa f64) (local $sb f64) (local $sc f64) (local $ws f64)
    (local.set $mb (i32.shl (local.get $m) (i32.const 3)))
    ;; k runs over byte offsets into active (4 bytes per unit); x offsets are 2k.
    (local.set $kb (i32.shl (local.get $count) (i32.const 2)))
    (block $blocks_done
      (loop $blocks
        (br_if $blocks_done (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $m)))
        (local.set $o (i32.shl (local.get $i) (i32.const 3)))
        (local.set $a0 (v128.load offset=0 (i32.add (local.get $bias) (local.get $o))))
        (local.set $a1 (v128.load offset=16 (i32.add (local.get $bias) (local.get $o))))
        (local.set $b0 (v128.const f64x2 0 0))
        (local.set $b1 (v128.const f64x2 0 0))
        (local.set $c0 (v128.const f64x2 0 0))
        (local.set $c1 (v128.const f64x2 0 0))
        (local.set $k (i32.const 0))
        (block $units_done
          (br_if $units_done (i32.eqz (local.get $count)))
          (loop $units
            (local.set $col (i32.add (i32.add (local.get $wt) (local.get $o))
              (i32.mul (i32.load (i32.add (local.get $active) (local.get $k))) (local.get $mb))))
            (local.set $p (v128.load64_splat (i32.add (local.get $x0) (i32.shl (local.get $k) (i32.const 1)))))
            (local.set $q (v128.load64_splat (i32.add (local.get $x1) (i32.shl (local.get $k) (i32.const 1)))))
            (local.set $r (v128.load64_splat (i32.add (local.get $x2) (i32.shl (local.get $k) (i32.const 1)))))
            (local.set $w (v128.load offset=0 (local.get $col)))
            (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $w) (local.get $p))))
            (local.set $b0 (f64x2.add (local.get $b0) (f64x2.mul (local.get $w) (local.get $q))))
            (local.set $c0 (f64x2.add (local.get $c0) (f64x2.mul (local.get $w) (local.get $r))))
            (local.set $w (v128.load offset=16 (local.get $col)))
            (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $w) (local.get $p))))
            (local.set $b1 (f64x2.add (local.get $b1) (f64x2.mul (local.get $w) (local.get $q))))
            (local.set $c1 (f64x2.add (local.get $c1) (f64x2.mul (local.get $w) (local.get $r))))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br_if $units (i32.lt_u (local.get $k) (local.get $kb)))))
        (local.set $col (i32.add (local.get $out) (local.get $o)))
        (v128.store offset=0 (local.get $col) (local.get $a0))
        (v128.store offset=16 (local.get $col) (local.get $a1))
        (local.set $col (i32.add (local.get $col) (local.get $mb)))
        (v128.store offset=0 (local.get $col) (local.get $b0))
        (v128.store offset=16 (local.get $col) (local.get $b1))
        (local.set $col (i32.add (local.get $col) (local.get $mb)))
        (v128.store offset=0 (local.get $col) (local.get $c0))
        (v128.store offset=16 (local.get $col) (local.get $c1))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $blocks)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $i) (local.get $m)))
        (local.set $o (i32.shl (local.get $i) (i32.const 3)))
        (local.set $sa (f64.load (i32.add (local.get $bias) (local.get $o))))
        (local.set $sb (f64.const 0))
        (local.set $sc (f64.const 0))
        (local.set $k (i32.const 0))
        (block $tail_units_done
          (br_if $tail_units_done (i32.eqz (local.get $count)))
          (loop $tail_units
            (local.set $ws (f64.load (i32.add (i32.add (local.get $wt) (local.get $o))
              (i32.mul (i32.load (i32.add (local.get $active) (local.get $k))) (local.get $mb)))))
            (local.set $sa (f64.add (local.get $sa) (f64.mul (local.get $ws) (f64.load (i32.add (local.get $x0) (i32.shl (local.get $k) (i32.const 1)))))))
            (local.set $sb (f64.add (local.get $sb) (f64.mul (local.get $ws) (f64.load (i32.add (local.get $x1) (i32.shl (local.get $k) (i32.const 1)))))))
            (local.set $sc (f64.add (local.get $sc) (f64.mul (local.get $ws) (f64.load (i32.add (local.get $x2) (i32.shl (local.get $k) (i32.const 1)))))))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br_if $tail_units (i32.lt_u (local.get $k) (local.get $kb)))))
        (local.set $col (i32.add (local.get $out) (local.get $o)))
        (f64.store (local.get $col) (local.get $sa))
        (f64.store (i32.add (local.get $col) (local.get $mb)) (local.get $sb))
        (f64.store (i32.add (local.get $col) (i32.shl (local.get $mb) (i32.const 1))) (local.get $sc))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail))))

  ;; The inputs of denseColumns3 for an elementwise step with fixed states (plane engine): unit j
  ;; in state st gives x = slopes[st] * z_c[j] (+ intercepts[st] in channel 0); units whose
  ;; three outputs are zero (relu off) are left out. Writes active, x0, x1, x2 and the largest
  ;; |x| per channel (largest[0..2]); returns the count. Same operations as the JavaScript
  ;; gather (plane.ts), so the same bits. z holds 3 channels of n (z0 | z1 | z2).
  ;; Two units per f64x2, then the odd last one. The largest |x| is kept with pmax (one
  ;; instruction; f64.max is a branchy sequence that chained the loop) and a NaN flag per
  ;; channel, so it is f64.max's result: the largest value, or NaN when any x is NaN.
  (func (export "gather3")
    (param $z i32) (param $n i32) (param $states i32) (param $slopes i32) (param $intercepts i32)
    (param $active i32) (param $x0 i32) (param $x1 i32) (param $x2 i32) (param $largest i32) (result i32)
    (local $j i32) (local $count i32) (local $nb i32) (local $zj i32) (local $st0 i32) (local $st1 i32) (local $bits i32) (local $xk i32)
    (local $slope v128) (local $icpt v128) (local $nz v128) (local $sl f64)
    (local $v0 v128) (local $l0 v128) (local $nan0 v128) (local $s0 f64) (local $t0 f64) (local $n0 i32) (local $v1 v128) (local $l1 v128) (local $nan1 v128) (local $s1 f64) (local $t1 f64) (local $n1 i32) (local $v2 v128) (local $l2 v128) (local $nan2 v128) (local $s2 f64) (local $t2 f64) (local $n2 i32)
    (local.set $nb (i32.shl (local.get $n) (i32.const 3)))
    (block $pairs_done
      (loop $pairs
        (br_if $pairs_done (i32.gt_u (i32.add (local.get $j) (i32.const 2)) (local.get $n)))
        (local.set $st0 (i32.shl (i32.load8_u (i32.add (local.get $states) (local.get $j))) (i32.const 3)))
        (local.set $st1 (i32.shl (i32.load8_u offset=1 (i32.add (local.get $states) (local.get $j))) (i32.const 3)))
        (local.set $slope (f64x2.replace_lane 1 (f64x2.splat (f64.load (i32.add (local.get $slopes) (local.get $st0))))
          (f64.load (i32.add (local.get $slopes) (local.get $st1)))))
        (local.set $icpt (f64x2.replace_lane 1 (f64x2.splat (f64.load (i32.add (local.get $intercepts) (local.get $st0))))
          (f64.load (i32.add (local.get $intercepts) (local.get $st1)))))
        (local.set $zj (i32.add (local.get $z) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $v0 (f64x2.add (f64x2.mul (local.get $slope) (v128.load (local.get $zj))) (local.get $icpt)))
        (local.set $zj (i32.add (local.get $zj) (local.get $nb)))
        (local.set $v1 (f64x2.mul (local.get $slope) (v128.load (local.get $zj))))
        (local.set $zj (i32.add (local.get $zj) (local.get $nb)))
        (local.set $v2 (f64x2.mul (local.get $slope) (v128.load (local.get $zj))))
        (local.set $l0 (f64x2.pmax (local.get $l0) (f64x2.abs (local.get $v0))))
        (local.set $nan0 (v128.or (local.get $nan0) (f64x2.ne (local.get $v0) (local.get $v0))))
        (local.set $l1 (f64x2.pmax (local.get $l1) (f64x2.abs (local.get $v1))))
        (local.set $nan1 (v128.or (local.get $nan1) (f64x2.ne (local.get $v1) (local.get $v1))))
        (local.set $l2 (f64x2.pmax (local.get $l2) (f64x2.abs (local.get $v2))))
        (local.set $nan2 (v128.or (local.get $nan2) (f64x2.ne (local.get $v2) (local.get $v2))))
        ;; Both lanes written at count; count moves on past a lane unless all its channels are zero.
        (local.set $bits (i64x2.bitmask (v128.or (v128.or (f64x2.ne (local.get $v0) (v128.const f64x2 0 0)) (f64x2.ne (local.get $v1) (v128.const f64x2 0 0))) (f64x2.ne (local.get $v2) (v128.const f64x2 0 0)))))
        (i32.store (i32.add (local.get $active) (i32.shl (local.get $count) (i32.const 2))) (i32.add (local.get $j) (i32.const 0)))
        (local.set $xk (i32.shl (local.get $count) (i32.const 3)))
        (f64.store (i32.add (local.get $x0) (local.get $xk)) (f64x2.extract_lane 0 (local.get $v0)))
        (f64.store (i32.add (local.get $x1) (local.get $xk)) (f64x2.extract_lane 0 (local.get $v1)))
        (f64.store (i32.add (local.get $x2) (local.get $xk)) (f64x2.extract_lane 0 (local.get $v2)))
        (local.set $count (i32.add (local.get $count) (i32.and (local.get $bits) (i32.const 1))))
        (i32.store (i32.add (local.get $active) (i32.shl (local.get $count) (i32.const 2))) (i32.add (local.get $j) (i32.const 1)))
        (local.set $xk (i32.shl (local.get $count) (i32.const 3)))
        (f64.store (i32.add (local.get $x0) (local.get $xk)) (f64x2.extract_lane 1 (local.get $v0)))
        (f64.store (i32.add (local.get $x1) (local.get $xk)) (f64x2.extract_lane 1 (local.get $v1)))
        (f64.store (i32.add (local.get $x2) (local.get $xk)) (f64x2.extract_lane 1 (local.get $v2)))
        (local.set $count (i32.add (local.get $count) (i32.shr_u (local.get $bits) (i32.const 1))))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $pairs)))
    (local.set $s0 (f64x2.extract_lane 0 (local.get $l0)))
    (local.set $t0 (f64x2.extract_lane 1 (local.get $l0)))
    (local.set $s0 (select (local.get $t0) (local.get $s0) (f64.lt (local.get $s0) (local.get $t0))))
    (local.set $n0 (v128.any_true (local.get $nan0)))
    (local.set $s1 (f64x2.extract_lane 0 (local.get $l1)))
    (local.set $t1 (f64x2.extract_lane 1 (local.get $l1)))
    (local.set $s1 (select (local.get $t1) (local.get $s1) (f64.lt (local.get $s1) (local.get $t1))))
    (local.set $n1 (v128.any_true (local.get $nan1)))
    (local.set $s2 (f64x2.extract_lane 0 (local.get $l2)))
    (local.set $t2 (f64x2.extract_lane 1 (local.get $l2)))
    (local.set $s2 (select (local.get $t2) (local.get $s2) (f64.lt (local.get $s2) (local.get $t2))))
    (local.set $n2 (v128.any_true (local.get $nan2)))
    (if (i32.lt_u (local.get $j) (local.get $n))
      (then
        (local.set $st0 (i32.shl (i32.load8_u (i32.add (local.get $states) (local.get $j))) (i32.const 3)))
        (local.set $sl (f64.load (i32.add (local.get $slopes) (local.get $st0))))
        (local.set $zj (i32.add (local.get $z) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $t0 (f64.add (f64.mul (local.get $sl) (f64.load (local.get $zj)))
          (f64.load (i32.add (local.get $intercepts) (local.get $st0)))))
        (local.set $zj (i32.add (local.get $zj) (local.get $nb)))
        (local.set $t1 (f64.mul (local.get $sl) (f64.load (local.get $zj))))
        (local.set $zj (i32.add (local.get $zj) (local.get $nb)))
        (local.set $t2 (f64.mul (local.get $sl) (f64.load (local.get $zj))))
        (i32.store (i32.add (local.get $active) (i32.shl (local.get $count) (i32.const 2))) (local.get $j))
        (local.set $xk (i32.shl (local.get $count) (i32.const 3)))
        (f64.store (i32.add (local.get $x0) (local.get $xk)) (local.get $t0))
        (f64.store (i32.add (local.get $x1) (local.get $xk)) (local.get $t1))
        (f64.store (i32.add (local.get $x2) (local.get $xk)) (local.get $t2))
        (local.set $count (i32.add (local.get $count) (i32.or (i32.or (f64.ne (local.get $t0) (f64.const 0)) (f64.ne (local.get $t1) (f64.const 0))) (f64.ne (local.get $t2) (f64.const 0)))))
        (local.set $n0 (i32.or (local.get $n0) (f64.ne (local.get $t0) (local.get $t0))))
        (local.set $t0 (f64.abs (local.get $t0)))
        (local.set $s0 (select (local.get $t0) (local.get $s0) (f64.lt (local.get $s0) (local.get $t0))))
        (local.set $n1 (i32.or (local.get $n1) (f64.ne (local.get $t1) (local.get $t1))))
        (local.set $t1 (f64.abs (local.get $t1)))
        (local.set $s1 (select (local.get $t1) (local.get $s1) (f64.lt (local.get $s1) (local.get $t1))))
        (local.set $n2 (i32.or (local.get $n2) (f64.ne (local.get $t2) (local.get $t2))))
        (local.set $t2 (f64.abs (local.get $t2)))
        (local.set $s2 (select (local.get $t2) (local.get $s2) (f64.lt (local.get $s2) (local.get $t2))))
))
    (f64.store offset=0 (local.get $largest) (select (f64.const nan) (local.get $s0) (local.get $n0)))
    (f64.store offset=8 (local.get $largest) (select (f64.const nan) (local.get $s1) (local.get $n1)))
    (f64.store offset=16 (local.get $largest) (select (f64.const nan) (local.get $s2) (local.get $n2)))
    (local.get $count))

  ;; denseColumns2: out[c * m + i] for c in {0, 1}, each output summed in the JavaScript
  ;; kernel's order (bias, then mul and add per active unit in order). With one channel fewer
  ;; than dense3, eight outputs x two channels fit in eight vector accumulators, so each unit's
  ;; index load and splats serve twice the outputs; then pairs of outputs, then the last odd one.
  (func (export "dense2")
    (param $wt i32) (param $m i32) (param $bias i32) (param $active i32) (param $count i32)
    (param $x0 i32) (param $x1 i32) (param $out i32)
    (local $i i32) (local $k i32) (local $mb i32) (local $kb i32) (local $col i32) (local $o i32)
    (local $p v128) (local $q v128) (local $w v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $sa f64) (local $sb f64) (local $ws f64)
    (local.set $mb (i32.shl (local.get $m) (i32.const 3)))
    (local.set $kb (i32.shl (local.get $count) (i32.const 2)))
    (block $blocks_done
      (loop $blocks
        (br_if $blocks_done (i32.gt_u (i32.add (local.get $i) (i32.const 8)) (local.get $m)))
        (local.set $o (i32.shl (local.get $i) (i32.const 3)))
        (local.set $col (i32.add (local.get $bias) (local.get $o)))
        (local.set $a0 (v128.load offset=0 (local.get $col)))
        (local.set $a1 (v128.load offset=16 (local.get $col)))
        (local.set $a2 (v128.load offset=32 (local.get $col)))
        (local.set $a3 (v128.load offset=48 (local.get $col)))
        (local.set $b0 (v128.const f64x2 0 0))
        (local.set $b1 (v128.const f64x2 0 0))
        (local.set $b2 (v128.const f64x2 0 0))
        (local.set $b3 (v128.const f64x2 0 0))
        (local.set $k (i32.const 0))
        (block $units_done
          (br_if $units_done (i32.eqz (local.get $count)))
          (loop $units
            (local.set $col (i32.add (i32.add (local.get $wt) (local.get $o))
              (i32.mul (i32.load (i32.add (local.get $active) (local.get $k))) (local.get $mb))))
            (local.set $p (v128.load64_splat (i32.add (local.get $x0) (i32.shl (local.get $k) (i32.const 1)))))
            (local.set $q (v128.load64_splat (i32.add (local.get $x1) (i32.shl (local.get $k) (i32.const 1)))))
            (local.set $w (v128.load offset=0 (local.get $col)))
            (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $w) (local.get $p))))
            (local.set $b0 (f64x2.add (local.get $b0) (f64x2.mul (local.get $w) (local.get $q))))
            (local.set $w (v128.load offset=16 (local.get $col)))
            (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $w) (local.get $p))))
            (local.set $b1 (f64x2.add (local.get $b1) (f64x2.mul (local.get $w) (local.get $q))))
            (local.set $w (v128.load offset=32 (local.get $col)))
            (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $w) (local.get $p))))
            (local.set $b2 (f64x2.add (local.get $b2) (f64x2.mul (local.get $w) (local.get $q))))
            (local.set $w (v128.load offset=48 (local.get $col)))
            (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (local.get $w) (local.get $p))))
            (local.set $b3 (f64x2.add (local.get $b3) (f64x2.mul (local.get $w) (local.get $q))))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br_if $units (i32.lt_u (local.get $k) (local.get $kb)))))
        (local.set $col (i32.add (local.get $out) (local.get $o)))
        (v128.store offset=0 (local.get $col) (local.get $a0))
        (v128.store offset=16 (local.get $col) (local.get $a1))
        (v128.store offset=32 (local.get $col) (local.get $a2))
        (v128.store offset=48 (local.get $col) (local.get $a3))
        (local.set $col (i32.add (local.get $col) (local.get $mb)))
        (v128.store offset=0 (local.get $col) (local.get $b0))
        (v128.store offset=16 (local.get $col) (local.get $b1))
        (v128.store offset=32 (local.get $col) (local.get $b2))
        (v128.store offset=48 (local.get $col) (local.get $b3))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $blocks)))
    (block $pairs_done
      (loop $pairs
        (br_if $pairs_done (i32.gt_u (i32.add (local.get $i) (i32.const 2)) (local.get $m)))
        (local.set $o (i32.shl (local.get $i) (i32.const 3)))
        (local.set $a0 (v128.load (i32.add (local.get $bias) (local.get $o))))
        (local.set $b0 (v128.const f64x2 0 0))
        (local.set $k (i32.const 0))
        (block $pair_units_done
          (br_if $pair_units_done (i32.eqz (local.get $count)))
          (loop $pair_units
            (local.set $w (v128.load (i32.add (i32.add (local.get $wt) (local.get $o))
              (i32.mul (i32.load (i32.add (local.get $active) (local.get $k))) (local.get $mb)))))
            (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $w)
              (v128.load64_splat (i32.add (local.get $x0) (i32.shl (local.get $k) (i32.const 1)))))))
            (local.set $b0 (f64x2.add (local.get $b0) (f64x2.mul (local.get $w)
              (v128.load64_splat (i32.add (local.get $x1) (i32.shl (local.get $k) (i32.const 1)))))))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br_if $pair_units (i32.lt_u (local.get $k) (local.get $kb)))))
        (local.set $col (i32.add (local.get $out) (local.get $o)))
        (v128.store (local.get $col) (local.get $a0))
        (v128.store (i32.add (local.get $col) (local.get $mb)) (local.get $b0))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $pairs)))
    (if (i32.lt_u (local.get $i) (local.get $m))
      (then
        (local.set $o (i32.shl (local.get $i) (i32.const 3)))
        (local.set $sa (f64.load (i32.add (local.get $bias) (local.get $o))))
        (local.set $sb (f64.const 0))
        (local.set $k (i32.const 0))
        (block $tail_units_done
          (br_if $tail_units_done (i32.eqz (local.get $count)))
          (loop $tail_units
            (local.set $ws (f64.load (i32.add (i32.add (local.get $wt) (local.get $o))
              (i32.mul (i32.load (i32.add (local.get $active) (local.get $k))) (local.get $mb)))))
            (local.set $sa (f64.add (local.get $sa) (f64.mul (local.get $ws) (f64.load (i32.add (local.get $x0) (i32.shl (local.get $k) (i32.const 1)))))))
            (local.set $sb (f64.add (local.get $sb) (f64.mul (local.get $ws) (f64.load (i32.add (local.get $x1) (i32.shl (local.get $k) (i32.const 1)))))))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br_if $tail_units (i32.lt_u (local.get $k) (local.get $kb)))))
        (local.set $col (i32.add (local.get $out) (local.get $o)))
        (f64.store (local.get $col) (local.get $sa))
        (f64.store (i32.add (local.get $col) (local.get $mb)) (local.get $sb)))))

  ;; gather3 for 2 channels (line engine's denseAfterStates): unit j in state st gives
  ;; x0 = slopes[st] * z0[j] + intercepts[st], x1 = slopes[st] * z1[j]; units with both zero are
  ;; left out. Writes active, x0, x1 and largest[0..1]; returns the count. z holds z0 | z1.
  (func (export "gather2")
    (param $z i32) (param $n i32) (param $states i32) (param $slopes i32) (param $intercepts i32)
    (param $active i32) (param $x0 i32) (param $x1 i32) (param $largest i32) (result i32)
    (local $j i32) (local $count i32) (local $nb i32) (local $zj i32) (local $st0 i32) (local $st1 i32) (local $bits i32) (local $xk i32)
    (local $slope v128) (local $icpt v128) (local $nz v128) (local $sl f64)
    (local $v0 v128) (local $l0 v128) (local $nan0 v128) (local $s0 f64) (local $t0 f64) (local $n0 i32) (local $v1 v128) (local $l1 v128) (local $nan1 v128) (local $s1 f64) (local $t1 f64) (local $n1 i32)
    (local.set $nb (i32.shl (local.get $n) (i32.const 3)))
    (block $pairs_done
      (loop $pairs
        (br_if $pairs_done (i32.gt_u (i32.add (local.get $j) (i32.const 2)) (local.get $n)))
        (local.set $st0 (i32.shl (i32.load8_u (i32.add (local.get $states) (local.get $j))) (i32.const 3)))
        (local.set $st1 (i32.shl (i32.load8_u offset=1 (i32.add (local.get $states) (local.get $j))) (i32.const 3)))
        (local.set $slope (f64x2.replace_lane 1 (f64x2.splat (f64.load (i32.add (local.get $slopes) (local.get $st0))))
          (f64.load (i32.add (local.get $slopes) (local.get $st1)))))
        (local.set $icpt (f64x2.replace_lane 1 (f64x2.splat (f64.load (i32.add (local.get $intercepts) (local.get $st0))))
          (f64.load (i32.add (local.get $intercepts) (local.get $st1)))))
        (local.set $zj (i32.add (local.get $z) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $v0 (f64x2.add (f64x2.mul (local.get $slope) (v128.load (local.get $zj))) (local.get $icpt)))
        (local.set $zj (i32.add (local.get $zj) (local.get $nb)))
        (local.set $v1 (f64x2.mul (local.get $slope) (v128.load (local.get $zj))))
        (local.set $l0 (f64x2.pmax (local.get $l0) (f64x2.abs (local.get $v0))))
        (local.set $nan0 (v128.or (local.get $nan0) (f64x2.ne (local.get $v0) (local.get $v0))))
        (local.set $l1 (f64x2.pmax (local.get $l1) (f64x2.abs (local.get $v1))))
        (local.set $nan1 (v128.or (local.get $nan1) (f64x2.ne (local.get $v1) (local.get $v1))))
        ;; Both lanes written at count; count moves on past a lane unless all its channels are zero.
        (local.set $bits (i64x2.bitmask (v128.or (f64x2.ne (local.get $v0) (v128.const f64x2 0 0)) (f64x2.ne (local.get $v1) (v128.const f64x2 0 0)))))
        (i32.store (i32.add (local.get $active) (i32.shl (local.get $count) (i32.const 2))) (i32.add (local.get $j) (i32.const 0)))
        (local.set $xk (i32.shl (local.get $count) (i32.const 3)))
        (f64.store (i32.add (local.get $x0) (local.get $xk)) (f64x2.extract_lane 0 (local.get $v0)))
        (f64.store (i32.add (local.get $x1) (local.get $xk)) (f64x2.extract_lane 0 (local.get $v1)))
        (local.set $count (i32.add (local.get $count) (i32.and (local.get $bits) (i32.const 1))))
        (i32.store (i32.add (local.get $active) (i32.shl (local.get $count) (i32.const 2))) (i32.add (local.get $j) (i32.const 1)))
        (local.set $xk (i32.shl (local.get $count) (i32.const 3)))
        (f64.store (i32.add (local.get $x0) (local.get $xk)) (f64x2.extract_lane 1 (local.get $v0)))
        (f64.store (i32.add (local.get $x1) (local.get $xk)) (f64x2.extract_lane 1 (local.get $v1)))
        (local.set $count (i32.add (local.get $count) (i32.shr_u (local.get $bits) (i32.const 1))))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $pairs)))
    (local.set $s0 (f64x2.extract_lane 0 (local.get $l0)))
    (local.set $t0 (f64x2.extract_lane 1 (local.get $l0)))
    (local.set $s0 (select (local.get $t0) (local.get $s0) (f64.lt (local.get $s0) (local.get $t0))))
    (local.set $n0 (v128.any_true (local.get $nan0)))
    (local.set $s1 (f64x2.extract_lane 0 (local.get $l1)))
    (local.set $t1 (f64x2.extract_lane 1 (local.get $l1)))
    (local.set $s1 (select (local.get $t1) (local.get $s1) (f64.lt (local.get $s1) (local.get $t1))))
    (local.set $n1 (v128.any_true (local.get $nan1)))
    (if (i32.lt_u (local.get $j) (local.get $n))
      (then
        (local.set $st0 (i32.shl (i32.load8_u (i32.add (local.get $states) (local.get $j))) (i32.const 3)))
        (local.set $sl (f64.load (i32.add (local.get $slopes) (local.get $st0))))
        (local.set $zj (i32.add (local.get $z) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $t0 (f64.add (f64.mul (local.get $sl) (f64.load (local.get $zj)))
          (f64.load (i32.add (local.get $intercepts) (local.get $st0)))))
        (local.set $zj (i32.add (local.get $zj) (local.get $nb)))
        (local.set $t1 (f64.mul (local.get $sl) (f64.load (local.get $zj))))
        (i32.store (i32.add (local.get $active) (i32.shl (local.get $count) (i32.const 2))) (local.get $j))
        (local.set $xk (i32.shl (local.get $count) (i32.const 3)))
        (f64.store (i32.add (local.get $x0) (local.get $xk)) (local.get $t0))
        (f64.store (i32.add (local.get $x1) (local.get $xk)) (local.get $t1))
        (local.set $count (i32.add (local.get $count) (i32.or (f64.ne (local.get $t0) (f64.const 0)) (f64.ne (local.get $t1) (f64.const 0)))))
        (local.set $n0 (i32.or (local.get $n0) (f64.ne (local.get $t0) (local.get $t0))))
        (local.set $t0 (f64.abs (local.get $t0)))
        (local.set $s0 (select (local.get $t0) (local.get $s0) (f64.lt (local.get $s0) (local.get $t0))))
        (local.set $n1 (i32.or (local.get $n1) (f64.ne (local.get $t1) (local.get $t1))))
        (local.set $t1 (f64.abs (local.get $t1)))
        (local.set $s1 (select (local.get $t1) (local.get $s1) (f64.lt (local.get $s1) (local.get $t1))))
))
    (f64.store offset=0 (local.get $largest) (select (f64.const nan) (local.get $s0) (local.get $n0)))
    (f64.store offset=8 (local.get $largest) (select (f64.const nan) (local.get $s1) (local.get $n1)))
    (local.get $count))

  ;; gather2 for relu (slopes 0, 1; intercepts 0): the units in state 1 with a non-zero channel
  ;; are listed in active, and largest[0..1] = their largest |z| per channel. No values are
  ;; copied: dense2z reads them from z by unit (for relu, x0 = 1 z0 + 0 and x1 = 1 z1 are z
  ;; itself, except that -0 in z0 stays -0, which changes no sum whose bias is not -0: the
  ;; caller checks). Units in state 0 give 0 in both channels and change no maximum (z is
  ;; finite: the engine checks every map before its piecewise step).
  (func $gatherRelu (export "gatherRelu")
    (param $z i32) (param $n i32) (param $states i32) (param $active i32) (param $largest i32) (result i32)
    (local $j i32) (local $count i32) (local $nb i32) (local $zj i32) (local $bits i32) (local $st i32)
    (local $v0 v128) (local $v1 v128) (local $on v128) (local $l0 v128) (local $l1 v128)
    (local $t0 f64) (local $t1 f64) (local $s0 f64) (local $s1 f64)
    (local.set $nb (i32.shl (local.get $n) (i32.const 3)))
    (block $pairs_done
      (loop $pairs
        (br_if $pairs_done (i32.gt_u (i32.add (local.get $j) (i32.const 2)) (local.get $n)))
        (local.set $zj (i32.add (local.get $z) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $v0 (v128.load (local.get $zj)))
        (local.set $v1 (v128.load (i32.add (local.get $zj) (local.get $nb))))
        ;; both states (0 or 1) widened to 64-bit lanes and negated: all ones where on
        (local.set $on (i64x2.neg (i64x2.extend_low_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u
          (v128.load16_splat (i32.add (local.get $states) (local.get $j))))))))
        (local.set $l0 (f64x2.pmax (local.get $l0) (v128.and (f64x2.abs (local.get $v0)) (local.get $on))))
        (local.set $l1 (f64x2.pmax (local.get $l1) (v128.and (f64x2.abs (local.get $v1)) (local.get $on))))
        (local.set $bits (i64x2.bitmask (v128.and (local.get $on)
          (v128.or (f64x2.ne (local.get $v0) (v128.const f64x2 0 0)) (f64x2.ne (local.get $v1) (v128.const f64x2 0 0))))))
        (i32.store (i32.add (local.get $active) (i32.shl (local.get $count) (i32.const 2))) (local.get $j))
        (local.set $count (i32.add (local.get $count) (i32.and (local.get $bits) (i32.const 1))))
        (i32.store (i32.add (local.get $active) (i32.shl (local.get $count) (i32.const 2))) (i32.add (local.get $j) (i32.const 1)))
        (local.set $count (i32.add (local.get $count) (i32.shr_u (local.get $bits) (i32.const 1))))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $pairs)))
    (local.set $s0 (f64x2.extract_lane 0 (local.get $l0)))
    (local.set $t0 (f64x2.extract_lane 1 (local.get $l0)))
    (local.set $s0 (select (local.get $t0) (local.get $s0) (f64.lt (local.get $s0) (local.get $t0))))
    (local.set $s1 (f64x2.extract_lane 0 (local.get $l1)))
    (local.set $t1 (f64x2.extract_lane 1 (local.get $l1)))
    (local.set $s1 (select (local.get $t1) (local.get $s1) (f64.lt (local.get $s1) (local.get $t1))))
    (if (i32.lt_u (local.get $j) (local.get $n))
      (then
        (local.set $st (i32.load8_u (i32.add (local.get $states) (local.get $j))))
        (local.set $zj (i32.add (local.get $z) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $t0 (f64.load (local.get $zj)))
        (local.set $t1 (f64.load (i32.add (local.get $zj) (local.get $nb))))
        (if (local.get $st)
          (then
            (i32.store (i32.add (local.get $active) (i32.shl (local.get $count) (i32.const 2))) (local.get $j))
            (local.set $count (i32.add (local.get $count) (i32.or (f64.ne (local.get $t0) (f64.const 0)) (f64.ne (local.get $t1) (f64.const 0)))))
            (local.set $t0 (f64.abs (local.get $t0)))
            (local.set $s0 (select (local.get $t0) (local.get $s0) (f64.lt (local.get $s0) (local.get $t0))))
            (local.set $t1 (f64.abs (local.get $t1)))
            (local.set $s1 (select (local.get $t1) (local.get $s1) (f64.lt (local.get $s1) (local.get $t1))))))))
    (f64.store offset=0 (local.get $largest) (local.get $s0))
    (f64.store offset=8 (local.get $largest) (local.get $s1))
    (local.get $count))

  ;; dense2 with the inputs read by unit instead of gathered: x0[j] and x1[j] for each active
  ;; unit j (gatherRelu's list), the same operations in the same order. Returns 0 when a quick
  ;; range test of the outputs clears them all (finite, and normal: no zero, none under 2^-1022),
  ;; else 1 (the caller then runs the exact test, $range).
  (func $dense2z (export "dense2z")
    (param $wt i32) (param $m i32) (param $bias i32) (param $active i32) (param $count i32)
    (param $x0 i32) (param $x1 i32) (param $out i32) (result i32)
    (local $nan v128) (local $low v128)
    (local $i i32) (local $k i32) (local $mb i32) (local $kb i32) (local $col i32) (local $o i32) (local $j i32)
    (local $p v128) (local $q v128) (local $w v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $sa f64) (local $sb f64) (local $ws f64)
    (local.set $low (v128.const f64x2 inf inf))
    (local.set $mb (i32.shl (local.get $m) (i32.const 3)))
    (local.set $kb (i32.shl (local.get $count) (i32.const 2)))
    (block $blocks_done
      (loop $blocks
        (br_if $blocks_done (i32.gt_u (i32.add (local.get $i) (i32.const 8)) (local.get $m)))
        (local.set $o (i32.shl (local.get $i) (i32.const 3)))
        (local.set $col (i32.add (local.get $bias) (local.get $o)))
        (local.set $a0 (v128.load offset=0 (local.get $col)))
        (local.set $a1 (v128.load offset=16 (local.get $col)))
        (local.set $a2 (v128.load offset=32 (local.get $col)))
        (local.set $a3 (v128.load offset=48 (local.get $col)))
        (local.set $b0 (v128.const f64x2 0 0))
        (local.set $b1 (v128.const f64x2 0 0))
        (local.set $b2 (v128.const f64x2 0 0))
        (local.set $b3 (v128.const f64x2 0 0))
        (local.set $k (i32.const 0))
        (block $units_done
          (br_if $units_done (i32.eqz (local.get $count)))
          (loop $units
            (local.set $j (i32.load (i32.add (local.get $active) (local.get $k))))
            (local.set $col (i32.add (i32.add (local.get $wt) (local.get $o)) (i32.mul (local.get $j) (local.get $mb))))
            (local.set $j (i32.shl (local.get $j) (i32.const 3)))
            (local.set $p (v128.load64_splat (i32.add (local.get $x0) (local.get $j))))
            (local.set $q (v128.load64_splat (i32.add (local.get $x1) (local.get $j))))
            (local.set $w (v128.load offset=0 (local.get $col)))
            (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $w) (local.get $p))))
            (local.set $b0 (f64x2.add (local.get $b0) (f64x2.mul (local.get $w) (local.get $q))))
            (local.set $w (v128.load offset=16 (local.get $col)))
            (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $w) (local.get $p))))
            (local.set $b1 (f64x2.add (local.get $b1) (f64x2.mul (local.get $w) (local.get $q))))
            (local.set $w (v128.load offset=32 (local.get $col)))
            (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $w) (local.get $p))))
            (local.set $b2 (f64x2.add (local.get $b2) (f64x2.mul (local.get $w) (local.get $q))))
            (local.set $w (v128.load offset=48 (local.get $col)))
            (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (local.get $w) (local.get $p))))
            (local.set $b3 (f64x2.add (local.get $b3) (f64x2.mul (local.get $w) (local.get $q))))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br_if $units (i32.lt_u (local.get $k) (local.get $kb)))))
        (local.set $col (i32.add (local.get $out) (local.get $o)))
        (v128.store offset=0 (local.get $col) (local.get $a0))
        (v128.store offset=16 (local.get $col) (local.get $a1))
        (v128.store offset=32 (local.get $col) (local.get $a2))
        (v128.store offset=48 (local.get $col) (local.get $a3))
        (local.set $col (i32.add (local.get $col) (local.get $mb)))
        (v128.store offset=0 (local.get $col) (local.get $b0))
        (v128.store offset=16 (local.get $col) (local.get $b1))
        (v128.store offset=32 (local.get $col) (local.get $b2))
        (v128.store offset=48 (local.get $col) (local.get $b3))
        ;; A quick range test of the 16 outputs: x 0 is NaN where x is not finite, and the
        ;; smallest |x| is under 2^-1022 where one is subnormal (or zero: then the exact test).
        (local.set $nan (f64x2.add (local.get $nan) (f64x2.add
          (f64x2.add (f64x2.add (f64x2.mul (local.get $a0) (v128.const f64x2 0 0)) (f64x2.mul (local.get $a1) (v128.const f64x2 0 0)))
                     (f64x2.add (f64x2.mul (local.get $a2) (v128.const f64x2 0 0)) (f64x2.mul (local.get $a3) (v128.const f64x2 0 0))))
          (f64x2.add (f64x2.add (f64x2.mul (local.get $b0) (v128.const f64x2 0 0)) (f64x2.mul (local.get $b1) (v128.const f64x2 0 0)))
                     (f64x2.add (f64x2.mul (local.get $b2) (v128.const f64x2 0 0)) (f64x2.mul (local.get $b3) (v128.const f64x2 0 0)))))))
        (local.set $low (f64x2.pmin (local.get $low) (f64x2.pmin
          (f64x2.pmin (f64x2.pmin (f64x2.abs (local.get $a0)) (f64x2.abs (local.get $a1)))
                      (f64x2.pmin (f64x2.abs (local.get $a2)) (f64x2.abs (local.get $a3))))
          (f64x2.pmin (f64x2.pmin (f64x2.abs (local.get $b0)) (f64x2.abs (local.get $b1)))
                      (f64x2.pmin (f64x2.abs (local.get $b2)) (f64x2.abs (local.get $b3)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $blocks)))
    (block $pairs_done
      (loop $pairs
        (br_if $pairs_done (i32.gt_u (i32.add (local.get $i) (i32.const 2)) (local.get $m)))
        (local.set $o (i32.shl (local.get $i) (i32.const 3)))
        (local.set $a0 (v128.load (i32.add (local.get $bias) (local.get $o))))
        (local.set $b0 (v128.const f64x2 0 0))
        (local.set $k (i32.const 0))
        (block $pair_units_done
          (br_if $pair_units_done (i32.eqz (local.get $count)))
          (loop $pair_units
            (local.set $j (i32.load (i32.add (local.get $active) (local.get $k))))
            (local.set $w (v128.load (i32.add (i32.add (local.get $wt) (local.get $o)) (i32.mul (local.get $j) (local.get $mb)))))
            (local.set $j (i32.shl (local.get $j) (i32.const 3)))
            (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $w) (v128.load64_splat (i32.add (local.get $x0) (local.get $j))))))
            (local.set $b0 (f64x2.add (local.get $b0) (f64x2.mul (local.get $w) (v128.load64_splat (i32.add (local.get $x1) (local.get $j))))))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br_if $pair_units (i32.lt_u (local.get $k) (local.get $kb)))))
        (local.set $col (i32.add (local.get $out) (local.get $o)))
        (v128.store (local.get $col) (local.get $a0))
        (v128.store (i32.add (local.get $col) (local.get $mb)) (local.get $b0))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $pairs)))
    (if (i32.lt_u (local.get $i) (local.get $m))
      (then
        (local.set $o (i32.shl (local.get $i) (i32.const 3)))
        (local.set $sa (f64.load (i32.add (local.get $bias) (local.get $o))))
        (local.set $sb (f64.const 0))
        (local.set $k (i32.const 0))
        (block $tail_units_done
          (br_if $tail_units_done (i32.eqz (local.get $count)))
          (loop $tail_units
            (local.set $j (i32.load (i32.add (local.get $active) (local.get $k))))
            (local.set $ws (f64.load (i32.add (i32.add (local.get $wt) (local.get $o)) (i32.mul (local.get $j) (local.get $mb)))))
            (local.set $j (i32.shl (local.get $j) (i32.const 3)))
            (local.set $sa (f64.add (local.get $sa) (f64.mul (local.get $ws) (f64.load (i32.add (local.get $x0) (local.get $j))))))
            (local.set $sb (f64.add (local.get $sb) (f64.mul (local.get $ws) (f64.load (i32.add (local.get $x1) (local.get $j))))))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br_if $tail_units (i32.lt_u (local.get $k) (local.get $kb)))))
        (local.set $col (i32.add (local.get $out) (local.get $o)))
        (f64.store (local.get $col) (local.get $sa))
        (f64.store (i32.add (local.get $col) (local.get $mb)) (local.get $sb))))
    ;; 0 when the quick test cleared every output (m a multiple of 8), else 1 (relu2 then runs the exact test)
    (i32.or (i32.ne (i32.and (local.get $m) (i32.const 7)) (i32.const 0))
      (i32.or (v128.any_true (f64x2.ne (local.get $nan) (local.get $nan)))
        (v128.any_true (f64x2.lt (local.get $low) (v128.const f64x2 0x1p-1022 0x1p-1022))))))

  ;; gatherRelu then dense2z in one call (the line engine's product after a relu step, once per
  ;; piece: one crossing from JavaScript instead of two), then the range flags of the product's
  ;; 2 m values (scan's bits 0 and 1, no reach) stored as an i32 at $flags: the engine's check of
  ;; the map before its next step reads them instead of calling scan.
  ;; With $pattern >= 0, the states are also packed there as pack1 does (one call per piece fewer).
  (func (export "relu2")
    (param $z i32) (param $n i32) (param $states i32) (param $active i32) (param $largest i32)
    (param $wt i32) (param $m i32) (param $bias i32) (param $out i32) (param $flags i32) (param $pattern i32)
    ;; dense2z's quick test clears the outputs (0) or sends them to the exact one (scan's bits).
    (if (call $dense2z (local.get $wt) (local.get $m) (local.get $bias) (local.get $active)
          (call $gatherRelu (local.get $z) (local.get $n) (local.get $states) (local.get $active) (local.get $largest))
          (local.get $z) (i32.add (local.get $z) (i32.shl (local.get $n) (i32.const 3))) (local.get $out))
      (then (i32.store (local.get $flags) (call $range (local.get $out) (i32.shl (local.get $m) (i32.const 1)))))
      (else (i32.store (local.get $flags) (i32.const 0))))
    (if (i32.ge_s (local.get $pattern) (i32.const 0))
      (then (call $pack1 (local.get $states) (local.get $n) (local.get $pattern)))))

  ;; relu2 for a dense step of one output, when counting (regions/line.ts; no map is reported):
  ;; out[0] = bias + sum_j states_j w_j z0_j, out[1] = sum_j states_j w_j z1_j over all n units,
  ;; two per f64x2 with the inactive ones masked to 0 (no list of active units: the order of the
  ;; sums is not relu2's, so the last bits may differ; the rounding bound is the same), the
  ;; largest |states_j z_j| per channel at $largest, the range flags of out[0..2) at $flags, and
  ;; with $pattern >= 0 the states packed there (pack1).
  (func (export "relu1")
    (param $z i32) (param $n i32) (param $states i32) (param $largest i32) (param $w i32)
    (param $bias i32) (param $out i32) (param $flags i32) (param $pattern i32)
    (local $j i32) (local $nb i32) (local $zj i32) (local $on v128) (local $x0 v128) (local $x1 v128)
    (local $wv v128) (local $a0 v128) (local $a1 v128) (local $l0 v128) (local $l1 v128)
    (local $s0 f64) (local $s1 f64) (local $t0 f64) (local $t1 f64) (local $ws f64)
    (local.set $nb (i32.shl (local.get $n) (i32.const 3)))
    (block $pairs_done
      (loop $pairs
        (br_if $pairs_done (i32.gt_u (i32.add (local.get $j) (i32.const 2)) (local.get $n)))
        (local.set $zj (i32.add (local.get $z) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $on (i64x2.neg (i64x2.extend_low_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u
          (v128.load16_splat (i32.add (local.get $states) (local.get $j))))))))
        (local.set $x0 (v128.and (v128.load (local.get $zj)) (local.get $on)))
        (local.set $x1 (v128.and (v128.load (i32.add (local.get $zj) (local.get $nb))) (local.get $on)))
        (local.set $wv (v128.load (i32.add (local.get $w) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $wv) (local.get $x0))))
        (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $wv) (local.get $x1))))
        (local.set $l0 (f64x2.pmax (local.get $l0) (f64x2.abs (local.get $x0))))
        (local.set $l1 (f64x2.pmax (local.get $l1) (f64x2.abs (local.get $x1))))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $pairs)))
    (local.set $s0 (f64.add (f64x2.extract_lane 0 (local.get $a0)) (f64x2.extract_lane 1 (local.get $a0))))
    (local.set $s1 (f64.add (f64x2.extract_lane 0 (local.get $a1)) (f64x2.extract_lane 1 (local.get $a1))))
    (local.set $t0 (f64.max (f64x2.extract_lane 0 (local.get $l0)) (f64x2.extract_lane 1 (local.get $l0))))
    (local.set $t1 (f64.max (f64x2.extract_lane 0 (local.get $l1)) (f64x2.extract_lane 1 (local.get $l1))))
    (if (i32.lt_u (local.get $j) (local.get $n))
      (then
        (if (i32.load8_u (i32.add (local.get $states) (local.get $j)))
          (then
            (local.set $zj (i32.add (local.get $z) (i32.shl (local.get $j) (i32.const 3))))
            (local.set $ws (f64.load (i32.add (local.get $w) (i32.shl (local.get $j) (i32.const 3)))))
            (local.set $s0 (f64.add (local.get $s0) (f64.mul (local.get $ws) (f64.load (local.get $zj)))))
            (local.set $s1 (f64.add (local.get $s1) (f64.mul (local.get $ws) (f64.load (i32.add (local.get $zj) (local.get $nb))))))
            (local.set $t0 (f64.max (local.get $t0) (f64.abs (f64.load (local.get $zj)))))
            (local.set $t1 (f64.max (local.get $t1) (f64.abs (f64.load (i32.add (local.get $zj) (local.get $nb))))))))))
    (f64.store offset=0 (local.get $out) (f64.add (f64.load (local.get $bias)) (local.get $s0)))
    (f64.store offset=8 (local.get $out) (local.get $s1))
    (f64.store offset=0 (local.get $largest) (local.get $t0))
    (f64.store offset=8 (local.get $largest) (local.get $t1))
    (i32.store (local.get $flags) (call $range (local.get $out) (i32.const 2)))
    (if (i32.ge_s (local.get $pattern) (i32.const 0))
      (then (call $pack1 (local.get $states) (local.get $n) (local.get $pattern)))))

  ;; The line engine's midpoint test for units with one breakpoint at 0 (regions/line-kernel.ts):
  ;; unit j (a = z[j], b = z[n + j]) gets state (fm > 0) with fm = a + b tm, and is listed in
  ;; undecided unless |fm| > |b| kb + |a| ka + kc. Two units per f64x2, the same operations as
  ;; the JavaScript loop. Writes states (bytes) and undecided (i32); returns how many are listed.
  ;; tm, kb, ka, kc are read from memory at $args (a call with only integer arguments allocates
  ;; nothing in JavaScript; doubles would be boxed on every call). With $prev >= 0, the states as
  ;; they were are first copied there (the previous piece's, for prop2).
  (func (export "decide0")
    (param $z i32) (param $n i32) (param $args i32) (param $states i32) (param $undecided i32) (param $prev i32) (result i32)
    (local $tm f64) (local $kb f64) (local $ka f64) (local $kc f64)
    (local $j i32) (local $count i32) (local $nb i32) (local $zj i32)
    (local $a v128) (local $b v128) (local $fm v128) (local $bits i32)
    (local $sa f64) (local $sb f64) (local $sf f64)
    (local $vtm v128) (local $vkb v128) (local $vka v128) (local $vkc v128)
    (if (i32.ge_s (local.get $prev) (i32.const 0))
      (then
        (block $copied
          (loop $copy16
            (br_if $copied (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $n)))
            (v128.store (i32.add (local.get $prev) (local.get $j)) (v128.load (i32.add (local.get $states) (local.get $j))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $copy16)))
        (block $copied1
          (loop $copy1
            (br_if $copied1 (i32.ge_u (local.get $j) (local.get $n)))
            (i32.store8 (i32.add (local.get $prev) (local.get $j)) (i32.load8_u (i32.add (local.get $states) (local.get $j))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $copy1)))
        (local.set $j (i32.const 0))))
    (local.set $tm (f64.load offset=0 (local.get $args)))
    (local.set $kb (f64.load offset=8 (local.get $args)))
    (local.set $ka (f64.load offset=16 (local.get $args)))
    (local.set $kc (f64.load offset=24 (local.get $args)))
    (local.set $nb (i32.shl (local.get $n) (i32.const 3)))
    (local.set $vtm (f64x2.splat (local.get $tm)))
    (local.set $vkb (f64x2.splat (local.get $kb)))
    (local.set $vka (f64x2.splat (local.get $ka)))
    (local.set $vkc (f64x2.splat (local.get $kc)))
    (block $pairs_done
      (loop $pairs
        (br_if $pairs_done (i32.gt_u (i32.add (local.get $j) (i32.const 2)) (local.get $n)))
        (local.set $zj (i32.add (local.get $z) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $a (v128.load (local.get $zj)))
        (local.set $b (v128.load (i32.add (local.get $zj) (local.get $nb))))
        (local.set $fm (f64x2.add (local.get $a) (f64x2.mul (local.get $b) (local.get $vtm))))
        ;; states[j], states[j + 1] = the lanes of fm > 0, as one 16-bit store
        (local.set $bits (i64x2.bitmask (f64x2.gt (local.get $fm) (v128.const f64x2 0 0))))
        (i32.store16 (i32.add (local.get $states) (local.get $j))
          (i32.or (i32.and (local.get $bits) (i32.const 1)) (i32.shl (i32.and (local.get $bits) (i32.const 2)) (i32.const 7))))
        ;; undecided lanes: not |fm| > |b| kb + |a| ka + kc (rare: about one unit per piece, so
        ;; listed behind a branch that is nearly never taken)
        (local.set $bits (i32.xor (i32.const 3) (i64x2.bitmask (f64x2.gt (f64x2.abs (local.get $fm))
          (f64x2.add (f64x2.add (f64x2.mul (f64x2.abs (local.get $b)) (local.get $vkb))
                                (f64x2.mul (f64x2.abs (local.get $a)) (local.get $vka))) (local.get $vkc))))))
        (if (local.get $bits)
          (then
            (i32.store (i32.add (local.get $undecided) (i32.shl (local.get $count) (i32.const 2))) (local.get $j))
            (local.set $count (i32.add (local.get $count) (i32.and (local.get $bits) (i32.const 1))))
            (i32.store (i32.add (local.get $undecided) (i32.shl (local.get $count) (i32.const 2))) (i32.add (local.get $j) (i32.const 1)))
            (local.set $count (i32.add (local.get $count) (i32.shr_u (local.get $bits) (i32.const 1))))))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $pairs)))
    (if (i32.lt_u (local.get $j) (local.get $n))
      (then
        (local.set $zj (i32.add (local.get $z) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $sa (f64.load (local.get $zj)))
        (local.set $sb (f64.load (i32.add (local.get $zj) (local.get $nb))))
        (local.set $sf (f64.add (local.get $sa) (f64.mul (local.get $sb) (local.get $tm))))
        (i32.store8 (i32.add (local.get $states) (local.get $j)) (f64.gt (local.get $sf) (f64.const 0)))
        (i32.store (i32.add (local.get $undecided) (i32.shl (local.get $count) (i32.const 2))) (local.get $j))
        (local.set $count (i32.add (local.get $count) (i32.eqz (f64.gt (f64.abs (local.get $sf))
          (f64.add (f64.add (f64.mul (f64.abs (local.get $sb)) (local.get $kb))
                            (f64.mul (f64.abs (local.get $sa)) (local.get $ka))) (local.get $kc))))))))
    (local.get $count))

  ;; The per-unit bound's sums (regions/unit-error.ts) for unit i of a fused step with 2
  ;; channels: out[0] = |bias_i| + sum_j |W_ij| (slope |z0_j| + intercept), out[1] = sum_j
  ;; (|W_ij| slope) |z1_j|, j in order, the same operations as the JavaScript loop (a zero weight
  ;; adds +0 there too: the sums are not negative). W is column-major at $wt (m outputs), z0 | z1
  ;; at $z (n each); slope and intercept are doubles at $args.
  (func (export "unit2")
    (param $wt i32) (param $m i32) (param $i i32) (param $n i32) (param $z i32) (param $bias i32) (param $args i32) (param $out i32)
    (local $j i32) (local $w i32) (local $mb i32) (local $zj i32) (local $nb i32)
    (local $acc v128) (local $scale v128) (local $shift v128) (local $ones v128) (local $x v128) (local $wv v128)
    (local.set $mb (i32.shl (local.get $m) (i32.const 3)))
    (local.set $nb (i32.shl (local.get $n) (i32.const 3)))
    ;; lanes: (slope, 1) and (intercept, 0) make (slope |z0| + intercept, |z1|); (1, slope) makes (w, w slope)
    (local.set $scale (f64x2.replace_lane 1 (f64x2.splat (f64.load offset=0 (local.get $args))) (f64.const 1)))
    (local.set $shift (f64x2.replace_lane 1 (f64x2.splat (f64.load offset=8 (local.get $args))) (f64.const 0)))
    (local.set $ones (f64x2.replace_lane 1 (f64x2.splat (f64.const 1)) (f64.load offset=0 (local.get $args))))
    (local.set $acc (f64x2.replace_lane 0 (v128.const f64x2 0 0)
      (f64.abs (f64.load (i32.add (local.get $bias) (i32.shl (local.get $i) (i32.const 3)))))))
    (local.set $w (i32.add (local.get $wt) (i32.shl (local.get $i) (i32.const 3))))
    (local.set $zj (local.get $z))
    (block $done
      (loop $units
        (br_if $done (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $x (f64x2.abs (f64x2.replace_lane 1 (f64x2.splat (f64.load (local.get $zj)))
          (f64.load (i32.add (local.get $zj) (local.get $nb))))))
        (local.set $x (f64x2.add (f64x2.mul (local.get $scale) (local.get $x)) (local.get $shift)))
        (local.set $wv (f64x2.mul (f64x2.splat (f64.abs (f64.load (local.get $w)))) (local.get $ones)))
        (local.set $acc (f64x2.add (local.get $acc) (f64x2.mul (local.get $wv) (local.get $x))))
        (local.set $w (i32.add (local.get $w) (local.get $mb)))
        (local.set $zj (i32.add (local.get $zj) (i32.const 8)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $units)))
    (v128.store (local.get $out) (local.get $acc)))

  ;; The line engine's rank-one update: out[i] += col[i] d0 and out[m + i] += col[i] d1 (mul,
  ;; then add, as in JavaScript), two outputs per f64x2; big[0..1] = the largest |out| per channel
  ;; after the update; the updated map's range flags (scan's bits 0 and 1) as an i32 at $flags.
  ;; d0, d1 are read from memory at $args (as decide0's).
  (func $rank2 (export "rank2")
    (param $col i32) (param $m i32) (param $args i32) (param $out i32) (param $big i32) (param $flags i32)
    (local $d0 f64) (local $d1 f64)
    (local $i i32) (local $mb i32) (local $o i32) (local $w v128) (local $v v128) (local $a v128)
    (local $p v128) (local $q v128) (local $g0 v128) (local $g1 v128) (local $nan0 v128) (local $nan1 v128)
    (local $tiny v128) (local $ws f64) (local $s0 f64) (local $s1 f64) (local $t i32)
    (local.set $d0 (f64.load offset=0 (local.get $args)))
    (local.set $d1 (f64.load offset=8 (local.get $args)))
    (local.set $mb (i32.shl (local.get $m) (i32.const 3)))
    (local.set $tiny (v128.const f64x2 inf inf))
    (local.set $p (f64x2.splat (local.get $d0)))
    (local.set $q (f64x2.splat (local.get $d1)))
    (block $pairs_done
      (loop $pairs
        (br_if $pairs_done (i32.gt_u (i32.add (local.get $i) (i32.const 2)) (local.get $m)))
        (local.set $w (v128.load (i32.add (local.get $col) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $o (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3))))
        (local.set $v (f64x2.add (v128.load (local.get $o)) (f64x2.mul (local.get $w) (local.get $p))))
        (v128.store (local.get $o) (local.get $v))
        (local.set $a (f64x2.abs (local.get $v)))
        (local.set $g0 (f64x2.pmax (local.get $g0) (local.get $a)))
        (local.set $nan0 (v128.or (local.get $nan0) (f64x2.ne (local.get $v) (local.get $v))))
        (local.set $tiny (f64x2.pmin (local.get $tiny) (local.get $a)))
        (local.set $o (i32.add (local.get $o) (local.get $mb)))
        (local.set $v (f64x2.add (v128.load (local.get $o)) (f64x2.mul (local.get $w) (local.get $q))))
        (v128.store (local.get $o) (local.get $v))
        (local.set $a (f64x2.abs (local.get $v)))
        (local.set $g1 (f64x2.pmax (local.get $g1) (local.get $a)))
        (local.set $nan1 (v128.or (local.get $nan1) (f64x2.ne (local.get $v) (local.get $v))))
        (local.set $tiny (f64x2.pmin (local.get $tiny) (local.get $a)))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $pairs)))
    ;; pmax keeps the first operand when the second is NaN: the NaN flags make the result NaN as
    ;; f64x2.max would (the same value), at a fraction of its cost.
    (local.set $s0 (f64.max (f64x2.extract_lane 0 (local.get $g0)) (f64x2.extract_lane 1 (local.get $g0))))
    (local.set $s1 (f64.max (f64x2.extract_lane 0 (local.get $g1)) (f64x2.extract_lane 1 (local.get $g1))))
    (local.set $s0 (select (f64.const nan) (local.get $s0) (v128.any_true (local.get $nan0))))
    (local.set $s1 (select (f64.const nan) (local.get $s1) (v128.any_true (local.get $nan1))))
    (if (i32.lt_u (local.get $i) (local.get $m))
      (then
        (local.set $ws (f64.load (i32.add (local.get $col) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $o (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3))))
        (f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (f64.mul (local.get $ws) (local.get $d0))))
        (local.set $s0 (f64.max (local.get $s0) (f64.abs (f64.load (local.get $o)))))
        (local.set $o (i32.add (local.get $o) (local.get $mb)))
        (f64.store (local.get $o) (f64.add (f64.load (local.get $o)) (f64.mul (local.get $ws) (local.get $d1))))
        (local.set $s1 (f64.max (local.get $s1) (f64.abs (f64.load (local.get $o)))))
        (local.set $t (i32.const 1))))
    (f64.store offset=0 (local.get $big) (local.get $s0))
    (f64.store offset=8 (local.get $big) (local.get $s1))
    ;; The updated map's range flags, as scan's bits 0 and 1 (no reach): 0 when the largest |entry|
    ;; per channel is finite and the smallest at least 2^-1022; else (a zero entry, an odd m, or
    ;; a value out of range) from the exact test.
    (i32.store (local.get $flags)
      (if (result i32) (i32.or (local.get $t) (i32.or
            (i32.or (f64.ne (f64.sub (local.get $s0) (local.get $s0)) (f64.const 0)) (f64.ne (f64.sub (local.get $s1) (local.get $s1)) (f64.const 0)))
            (v128.any_true (f64x2.lt (local.get $tiny) (v128.const f64x2 0x1p-1022 0x1p-1022)))))
        (then (call $range (local.get $out) (i32.shl (local.get $m) (i32.const 1))))
        (else (i32.const 0)))))

  ;; The line engine's propagated product after a relu step (regions/line.ts, "propagated maps";
  ;; counting only): where the step's input changed from the previous piece's by a rank-one term
  ;; u (d0, d1) and its states are those of the previous piece (compared with $prev, n bytes),
  ;;   v = W (states * u)   (one channel: the active units of u, in an order of its own), stored at $v,
  ;;   map += v (d0, d1)     (as rank2, in the same pass: d0, d1 at $args; big and the range flags as rank2 leaves them),
  ;; and at $stats: the largest |u| over the active units, then the largest |v|; with $pattern >= 0
  ;; the states packed there as pack1 does (as relu2). Returns 0; 1 when
  ;; the states differ from $prev or m is not a multiple of 8 (then nothing is written: the caller
  ;; makes the full product). Not the two-channel product's rounding: its bound is the caller's.
  (func (export "prop2")
    (param $u i32) (param $n i32) (param $states i32) (param $prev i32) (param $active i32) (param $xs i32)
    (param $wt i32) (param $m i32) (param $v i32) (param $args i32) (param $map i32) (param $big i32)
    (param $flags i32) (param $stats i32) (param $pattern i32) (result i32)
    (local $j i32) (local $count i32) (local $k i32) (local $kb i32) (local $mb i32) (local $i i32)
    (local $o i32) (local $col i32) (local $col2 i32) (local $bits i32) (local $xk i32)
    (local $x v128) (local $on v128) (local $l v128) (local $p v128) (local $q v128) (local $g v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $s f64) (local $t f64)
    (local $vd0 v128) (local $vd1 v128) (local $y v128) (local $mp i32) (local $nan v128) (local $tiny v128)
    (local $g0 v128) (local $g1 v128)
    (if (i32.and (local.get $m) (i32.const 7)) (then (return (i32.const 1))))
    ;; the states: 16 at a time, then one by one
    (block $same
      (loop $cmp
        (br_if $same (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $n)))
        (if (v128.any_true (v128.xor (v128.load (i32.add (local.get $states) (local.get $j))) (v128.load (i32.add (local.get $prev) (local.get $j)))))
          (then (return (i32.const 1))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $cmp)))
    (block $tail_same
      (loop $cmp1
        (br_if $tail_same (i32.ge_u (local.get $j) (local.get $n)))
        (if (i32.ne (i32.load8_u (i32.add (local.get $states) (local.get $j))) (i32.load8_u (i32.add (local.get $prev) (local.get $j))))
          (then (return (i32.const 1))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $cmp1)))
    ;; the active units with u != 0 (two per f64x2, as gatherRelu): their columns' byte offsets in
    ;; $active and their u in $xs, in order (so the product reads both in sequence), and their largest |u|
    (local.set $mb (i32.shl (local.get $m) (i32.const 3)))
    (local.set $j (i32.const 0))
    (block $pairs_done
      (loop $pairs
        (br_if $pairs_done (i32.gt_u (i32.add (local.get $j) (i32.const 2)) (local.get $n)))
        (local.set $x (v128.load (i32.add (local.get $u) (i32.shl (local.get $j) (i32.const 3)))))
        (local.set $on (i64x2.neg (i64x2.extend_low_i32x4_u (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u
          (v128.load16_splat (i32.add (local.get $states) (local.get $j))))))))
        (local.set $l (f64x2.pmax (local.get $l) (v128.and (f64x2.abs (local.get $x)) (local.get $on))))
        (local.set $bits (i64x2.bitmask (v128.and (local.get $on) (f64x2.ne (local.get $x) (v128.const f64x2 0 0)))))
        (i32.store (i32.add (local.get $active) (i32.shl (local.get $count) (i32.const 2))) (i32.mul (local.get $j) (local.get $mb)))
        (f64.store (i32.add (local.get $xs) (i32.shl (local.get $count) (i32.const 3))) (f64x2.extract_lane 0 (local.get $x)))
        (local.set $count (i32.add (local.get $count) (i32.and (local.get $bits) (i32.const 1))))
        (i32.store (i32.add (local.get $active) (i32.shl (local.get $count) (i32.const 2))) (i32.mul (i32.add (local.get $j) (i32.const 1)) (local.get $mb)))
        (f64.store (i32.add (local.get $xs) (i32.shl (local.get $count) (i32.const 3))) (f64x2.extract_lane 1 (local.get $x)))
        (local.set $count (i32.add (local.get $count) (i32.shr_u (local.get $bits) (i32.const 1))))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $pairs)))
    (local.set $s (f64.max (f64x2.extract_lane 0 (local.get $l)) (f64x2.extract_lane 1 (local.get $l))))
    (if (i32.lt_u (local.get $j) (local.get $n))
      (then
        (if (i32.load8_u (i32.add (local.get $states) (local.get $j)))
          (then
            (local.set $t (f64.load (i32.add (local.get $u) (i32.shl (local.get $j) (i32.const 3)))))
            (i32.store (i32.add (local.get $active) (i32.shl (local.get $count) (i32.const 2))) (i32.mul (local.get $j) (local.get $mb)))
            (f64.store (i32.add (local.get $xs) (i32.shl (local.get $count) (i32.const 3))) (local.get $t))
            (local.set $count (i32.add (local.get $count) (f64.ne (local.get $t) (f64.const 0))))
            (local.set $s (f64.max (local.get $s) (f64.abs (local.get $t))))))))
    (f64.store offset=0 (local.get $stats) (local.get $s))
    ;; v = W x, 8 outputs per block, two units per iteration (each weight is read once: the
    ;; loads, not the multiply-adds, set the pace; the columns' offsets and the values read in
    ;; sequence, no index arithmetic per unit: 0.7x the time of reading them by unit), an odd last unit alone
    (local.set $kb (i32.shl (i32.and (local.get $count) (i32.const -2)) (i32.const 2)))
    (local.set $g (v128.const f64x2 0 0))
    (local.set $vd0 (v128.load64_splat offset=0 (local.get $args)))
    (local.set $vd1 (v128.load64_splat offset=8 (local.get $args)))
    (local.set $tiny (v128.const f64x2 inf inf))
    (block $blocks_done
      (loop $blocks
        (br_if $blocks_done (i32.ge_u (local.get $i) (local.get $m)))
        (local.set $o (i32.add (local.get $wt) (i32.shl (local.get $i) (i32.const 3))))
        (local.set $a0 (v128.const f64x2 0 0))
        (local.set $a1 (v128.const f64x2 0 0))
        (local.set $a2 (v128.const f64x2 0 0))
        (local.set $a3 (v128.const f64x2 0 0))
        (local.set $k (i32.const 0))
        (local.set $xk (local.get $xs))
        (block $units_done
          (br_if $units_done (i32.eqz (local.get $kb)))
          (loop $units
            (local.set $col (i32.add (local.get $o) (i32.load (i32.add (local.get $active) (local.get $k)))))
            (local.set $col2 (i32.add (local.get $o) (i32.load offset=4 (i32.add (local.get $active) (local.get $k)))))
            (local.set $p (v128.load64_splat (local.get $xk)))
            (local.set $q (v128.load64_splat offset=8 (local.get $xk)))
            (local.set $xk (i32.add (local.get $xk) (i32.const 16)))
            (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (v128.load offset=0 (local.get $col)) (local.get $p))))
            (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (v128.load offset=16 (local.get $col)) (local.get $p))))
            (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (v128.load offset=32 (local.get $col)) (local.get $p))))
            (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (v128.load offset=48 (local.get $col)) (local.get $p))))
            (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (v128.load offset=0 (local.get $col2)) (local.get $q))))
            (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (v128.load offset=16 (local.get $col2)) (local.get $q))))
            (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (v128.load offset=32 (local.get $col2)) (local.get $q))))
            (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (v128.load offset=48 (local.get $col2)) (local.get $q))))
            (local.set $k (i32.add (local.get $k) (i32.const 8)))
            (br_if $units (i32.lt_u (local.get $k) (local.get $kb)))))
        (if (i32.and (local.get $count) (i32.const 1))
          (then
            (local.set $col (i32.add (local.get $o) (i32.load (i32.add (local.get $active) (local.get $kb)))))
            (local.set $p (v128.load64_splat (i32.add (local.get $xs) (i32.shl (local.get $kb) (i32.const 1)))))
            (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (v128.load offset=0 (local.get $col)) (local.get $p))))
            (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (v128.load offset=16 (local.get $col)) (local.get $p))))
            (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (v128.load offset=32 (local.get $col)) (local.get $p))))
            (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (v128.load offset=48 (local.get $col)) (local.get $p))))))
        (local.set $col (i32.add (local.get $v) (i32.shl (local.get $i) (i32.const 3))))
        (v128.store offset=0 (local.get $col) (local.get $a0))
        (v128.store offset=16 (local.get $col) (local.get $a1))
        (v128.store offset=32 (local.get $col) (local.get $a2))
        (v128.store offset=48 (local.get $col) (local.get $a3))
        ;; map += v (d0, d1) for these 8 outputs: rank2's operations (mul, then add) and its maxima
        (local.set $mp (i32.add (local.get $map) (i32.shl (local.get $i) (i32.const 3))))
        (local.set $y (f64x2.add (v128.load offset=0 (local.get $mp)) (f64x2.mul (local.get $a0) (local.get $vd0))))
        (v128.store offset=0 (local.get $mp) (local.get $y))
        (local.set $nan (v128.or (local.get $nan) (f64x2.ne (local.get $y) (local.get $y))))
        (local.set $y (f64x2.abs (local.get $y)))
        (local.set $g0 (f64x2.pmax (local.get $g0) (local.get $y)))
        (local.set $tiny (f64x2.pmin (local.get $tiny) (local.get $y)))
        (local.set $y (f64x2.add (v128.load offset=0 (i32.add (local.get $mp) (local.get $mb))) (f64x2.mul (local.get $a0) (local.get $vd1))))
        (v128.store offset=0 (i32.add (local.get $mp) (local.get $mb)) (local.get $y))
        (local.set $nan (v128.or (local.get $nan) (f64x2.ne (local.get $y) (local.get $y))))
        (local.set $y (f64x2.abs (local.get $y)))
        (local.set $g1 (f64x2.pmax (local.get $g1) (local.get $y)))
        (local.set $tiny (f64x2.pmin (local.get $tiny) (local.get $y)))
        (local.set $y (f64x2.add (v128.load offset=16 (local.get $mp)) (f64x2.mul (local.get $a1) (local.get $vd0))))
        (v128.store offset=16 (local.get $mp) (local.get $y))
        (local.set $nan (v128.or (local.get $nan) (f64x2.ne (local.get $y) (local.get $y))))
        (local.set $y (f64x2.abs (local.get $y)))
        (local.set $g0 (f64x2.pmax (local.get $g0) (local.get $y)))
        (local.set $tiny (f64x2.pmin (local.get $tiny) (local.get $y)))
        (local.set $y (f64x2.add (v128.load offset=16 (i32.add (local.get $mp) (local.get $mb))) (f64x2.mul (local.get $a1) (local.get $vd1))))
        (v128.store offset=16 (i32.add (local.get $mp) (local.get $mb)) (local.get $y))
        (local.set $nan (v128.or (local.get $nan) (f64x2.ne (local.get $y) (local.get $y))))
        (local.set $y (f64x2.abs (local.get $y)))
        (local.set $g1 (f64x2.pmax (local.get $g1) (local.get $y)))
        (local.set $tiny (f64x2.pmin (local.get $tiny) (local.get $y)))
        (local.set $y (f64x2.add (v128.load offset=32 (local.get $mp)) (f64x2.mul (local.get $a2) (local.get $vd0))))
        (v128.store offset=32 (local.get $mp) (local.get $y))
        (local.set $nan (v128.or (local.get $nan) (f64x2.ne (local.get $y) (local.get $y))))
        (local.set $y (f64x2.abs (local.get $y)))
        (local.set $g0 (f64x2.pmax (local.get $g0) (local.get $y)))
        (local.set $tiny (f64x2.pmin (local.get $tiny) (local.get $y)))
        (local.set $y (f64x2.add (v128.load offset=32 (i32.add (local.get $mp) (local.get $mb))) (f64x2.mul (local.get $a2) (local.get $vd1))))
        (v128.store offset=32 (i32.add (local.get $mp) (local.get $mb)) (local.get $y))
        (local.set $nan (v128.or (local.get $nan) (f64x2.ne (local.get $y) (local.get $y))))
        (local.set $y (f64x2.abs (local.get $y)))
        (local.set $g1 (f64x2.pmax (local.get $g1) (local.get $y)))
        (local.set $tiny (f64x2.pmin (local.get $tiny) (local.get $y)))
        (local.set $y (f64x2.add (v128.load offset=48 (local.get $mp)) (f64x2.mul (local.get $a3) (local.get $vd0))))
        (v128.store offset=48 (local.get $mp) (local.get $y))
        (local.set $nan (v128.or (local.get $nan) (f64x2.ne (local.get $y) (local.get $y))))
        (local.set $y (f64x2.abs (local.get $y)))
        (local.set $g0 (f64x2.pmax (local.get $g0) (local.get $y)))
        (local.set $tiny (f64x2.pmin (local.get $tiny) (local.get $y)))
        (local.set $y (f64x2.add (v128.load offset=48 (i32.add (local.get $mp) (local.get $mb))) (f64x2.mul (local.get $a3) (local.get $vd1))))
        (v128.store offset=48 (i32.add (local.get $mp) (local.get $mb)) (local.get $y))
        (local.set $nan (v128.or (local.get $nan) (f64x2.ne (local.get $y) (local.get $y))))
        (local.set $y (f64x2.abs (local.get $y)))
        (local.set $g1 (f64x2.pmax (local.get $g1) (local.get $y)))
        (local.set $tiny (f64x2.pmin (local.get $tiny) (local.get $y)))
        (local.set $g (f64x2.max (local.get $g) (f64x2.max (f64x2.max (f64x2.abs (local.get $a0)) (f64x2.abs (local.get $a1)))
          (f64x2.max (f64x2.abs (local.get $a2)) (f64x2.abs (local.get $a3))))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $blocks)))
    ;; f64x2.max keeps a NaN (a non-finite v makes the bound NaN: the caller then makes the full product)
    (f64.store offset=8 (local.get $stats) (f64.max (f64x2.extract_lane 0 (local.get $g)) (f64x2.extract_lane 1 (local.get $g))))
    ;; big and the flags as rank2 leaves them (pmax keeps the first operand when the second is NaN:
    ;; the NaN flag makes the maxima NaN as f64.max would)
    (local.set $s (f64.max (f64x2.extract_lane 0 (local.get $g0)) (f64x2.extract_lane 1 (local.get $g0))))
    (local.set $t (f64.max (f64x2.extract_lane 0 (local.get $g1)) (f64x2.extract_lane 1 (local.get $g1))))
    (if (v128.any_true (local.get $nan))
      (then (local.set $s (f64.const nan)) (local.set $t (f64.const nan))))
    (f64.store offset=0 (local.get $big) (local.get $s))
    (f64.store offset=8 (local.get $big) (local.get $t))
    (i32.store (local.get $flags)
      (if (result i32) (i32.or (v128.any_true (local.get $nan))
            (i32.or (f64.ne (f64.sub (local.get $s) (local.get $s)) (f64.const 0))
              (i32.or (f64.ne (f64.sub (local.get $t) (local.get $t)) (f64.const 0))
                (v128.any_true (f64x2.lt (local.get $tiny) (v128.const f64x2 0x1p-1022 0x1p-1022))))))
        (then (call $range (local.get $map) (i32.shl (local.get $m) (i32.const 1))))
        (else (i32.const 0))))
    (if (i32.ge_s (local.get $pattern) (i32.const 0))
      (then (call $pack1 (local.get $states) (local.get $n) (local.get $pattern))))
    (i32.const 0))

  ;; A relu-like step's states (one byte each, 0 or 1) packed 32 to a word as in model/pattern.ts
  ;; (setStepStates): bit k of word w is states[32 w + k] & 1, the last word padded with zeros.
  (func $pack1 (export "pack1")
    (param $states i32) (param $n i32) (param $out i32)
    (local $w i32) (local $k i32) (local $word i32) (local $at i32)
    (block $words_done
      (loop $words
        (br_if $words_done (i32.gt_u (i32.shl (i32.add (local.get $w) (i32.const 1)) (i32.const 5)) (local.get $n)))
        (local.set $at (i32.add (local.get $states) (i32.shl (local.get $w) (i32.const 5))))
        (i32.store (i32.add (local.get $out) (i32.shl (local.get $w) (i32.const 2)))
          (i32.or (i8x16.bitmask (i8x16.shl (v128.load (local.get $at)) (i32.const 7)))
            (i32.shl (i8x16.bitmask (i8x16.shl (v128.load offset=16 (local.get $at)) (i32.const 7))) (i32.const 16))))
        (local.set $w (i32.add (local.get $w) (i32.const 1)))
        (br $words)))
    (local.set $k (i32.shl (local.get $w) (i32.const 5)))
    (if (i32.lt_u (local.get $k) (local.get $n))
      (then
        (block $bits_done
          (loop $bits
            (br_if $bits_done (i32.ge_u (local.get $k) (local.get $n)))
            (local.set $word (i32.or (local.get $word)
              (i32.shl (i32.and (i32.load8_u (i32.add (local.get $states) (local.get $k))) (i32.const 1)) (i32.and (local.get $k) (i32.const 31)))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $bits)))
        (i32.store (i32.add (local.get $out) (i32.shl (local.get $w) (i32.const 2))) (local.get $word)))))

  ;; The engines' range check (regions/refusal.ts, refuseOutOfRange) over n doubles at x: bit 0 of
  ;; the result when one is infinite or NaN (x - x is not 0), bit 1 when one is subnormal (non-zero
  ;; and under 2^-1022 in magnitude). Two values per f64x2. Scan's bits 0 and 1, also run after
  ;; relu2's product and in rank2 when their quick tests do not clear the map.
  (func $range (param $x i32) (param $n i32) (result i32)
    (local $i i32) (local $v v128) (local $bad v128) (local $tiny v128) (local $s f64) (local $flags i32)
    (block $pairs_done
      (loop $pairs
        (br_if $pairs_done (i32.gt_u (i32.add (local.get $i) (i32.const 2)) (local.get $n)))
        (local.set $v (v128.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $bad (v128.or (local.get $bad) (f64x2.ne (f64x2.sub (local.get $v) (local.get $v)) (v128.const f64x2 0 0))))
        (local.set $tiny (v128.or (local.get $tiny) (v128.and
          (f64x2.lt (f64x2.abs (local.get $v)) (v128.const f64x2 0x1p-1022 0x1p-1022))
          (f64x2.ne (local.get $v) (v128.const f64x2 0 0)))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $pairs)))
    (local.set $flags (i32.or (v128.any_true (local.get $bad)) (i32.shl (v128.any_true (local.get $tiny)) (i32.const 1))))
    (if (i32.lt_u (local.get $i) (local.get $n))
      (then
        (local.set $s (f64.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $flags (i32.or (local.get $flags) (f64.ne (f64.sub (local.get $s) (local.get $s)) (f64.const 0))))
        (local.set $flags (i32.or (local.get $flags) (i32.shl (i32.and
          (f64.lt (f64.abs (local.get $s)) (f64.const 0x1p-1022)) (f64.ne (local.get $s) (f64.const 0))) (i32.const 1))))))
    (local.get $flags))

  ;; $range's bits 0 and 1, and with a reach r > 0 (a double at $args), bit 2 when a non-zero value
  ;; from index $from on times r is under 2^-1022 (map-error.ts's underflow test of the slopes: the
  ;; smallest |slope| times r, the same decision value by value).
  (func (export "scan")
    (param $x i32) (param $n i32) (param $from i32) (param $args i32) (result i32)
    (local $i i32) (local $v v128) (local $s f64) (local $flags i32)
    (local $reach f64) (local $vr v128) (local $low v128)
    (local.set $flags (call $range (local.get $x) (local.get $n)))
    (local.set $reach (f64.load (local.get $args)))
    (if (f64.gt (local.get $reach) (f64.const 0))
      (then
        (local.set $vr (f64x2.splat (local.get $reach)))
        (local.set $i (local.get $from))
        (block $slopes_done
          (loop $slopes
            (br_if $slopes_done (i32.gt_u (i32.add (local.get $i) (i32.const 2)) (local.get $n)))
            (local.set $v (v128.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 3)))))
            (local.set $low (v128.or (local.get $low) (v128.and
              (f64x2.lt (f64x2.mul (f64x2.abs (local.get $v)) (local.get $vr)) (v128.const f64x2 0x1p-1022 0x1p-1022))
              (f64x2.ne (local.get $v) (v128.const f64x2 0 0)))))
            (local.set $i (i32.add (local.get $i) (i32.const 2)))
            (br $slopes)))
        (local.set $flags (i32.or (local.get $flags) (i32.shl (v128.any_true (local.get $low)) (i32.const 2))))
        (if (i32.lt_u (local.get $i) (local.get $n))
          (then
            (local.set $s (f64.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 3)))))
            (local.set $flags (i32.or (local.get $flags) (i32.shl (i32.and
              (f64.lt (f64.mul (f64.abs (local.get $s)) (local.get $reach)) (f64.const 0x1p-1022)) (f64.ne (local.get $s) (f64.const 0))) (i32.const 2))))))))
    (local.get $flags))
)
