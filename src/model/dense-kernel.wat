;; denseColumns3 (dense-kernel.ts) in WebAssembly SIMD: for c in 0..2 and output i,
;;   out[c * m + i] = (c == 0 ? bias[i] : 0) + sum over k in order of WT[active[k] * m + i] * x_c[k].
;; The two f64x2 lanes are two outputs, so each output is summed in exactly the order of the
;; JavaScript kernel (mul, then add, each rounded: no fused multiply-add): the results are the
;; same to the bit. Four outputs x three channels stay in six vector accumulators while the
;; active units stream past; the last m % 4 outputs are done one at a time.
;; Pointers are byte addresses in the module's memory; active holds i32 unit indices.
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
            (local.set $p (f64x2.splat (f64.load (i32.add (local.get $x0) (i32.shl (local.get $k) (i32.const 1))))))
            (local.set $q (f64x2.splat (f64.load (i32.add (local.get $x1) (i32.shl (local.get $k) (i32.const 1))))))
            (local.set $r (f64x2.splat (f64.load (i32.add (local.get $x2) (i32.shl (local.get $k) (i32.const 1))))))
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
  (func (export "gather3")
    (param $z i32) (param $n i32) (param $states i32) (param $slopes i32) (param $intercepts i32)
    (param $active i32) (param $x0 i32) (param $x1 i32) (param $x2 i32) (param $largest i32) (result i32)
    (local $j i32) (local $count i32) (local $nb i32) (local $zj i32) (local $st i32) (local $xk i32)
    (local $slope f64) (local $v0 f64) (local $v1 f64) (local $v2 f64) (local $l0 f64) (local $l1 f64) (local $l2 f64)
    (local.set $nb (i32.shl (local.get $n) (i32.const 3)))
    (block $done
      (loop $units
        (br_if $done (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $st (i32.shl (i32.load8_u (i32.add (local.get $states) (local.get $j))) (i32.const 3)))
        (local.set $slope (f64.load (i32.add (local.get $slopes) (local.get $st))))
        (local.set $zj (i32.add (local.get $z) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $v0 (f64.add (f64.mul (local.get $slope) (f64.load (local.get $zj)))
          (f64.load (i32.add (local.get $intercepts) (local.get $st)))))
        (local.set $zj (i32.add (local.get $zj) (local.get $nb)))
        (local.set $v1 (f64.mul (local.get $slope) (f64.load (local.get $zj))))
        (local.set $zj (i32.add (local.get $zj) (local.get $nb)))
        (local.set $v2 (f64.mul (local.get $slope) (f64.load (local.get $zj))))
        (local.set $l0 (f64.max (local.get $l0) (f64.abs (local.get $v0))))
        (local.set $l1 (f64.max (local.get $l1) (f64.abs (local.get $v1))))
        (local.set $l2 (f64.max (local.get $l2) (f64.abs (local.get $v2))))
        ;; Written at count in any case; count moves on unless all three are zero.
        (i32.store (i32.add (local.get $active) (i32.shl (local.get $count) (i32.const 2))) (local.get $j))
        (local.set $xk (i32.shl (local.get $count) (i32.const 3)))
        (f64.store (i32.add (local.get $x0) (local.get $xk)) (local.get $v0))
        (f64.store (i32.add (local.get $x1) (local.get $xk)) (local.get $v1))
        (f64.store (i32.add (local.get $x2) (local.get $xk)) (local.get $v2))
        (local.set $count (i32.add (local.get $count)
          (i32.or (i32.or (f64.ne (local.get $v0) (f64.const 0)) (f64.ne (local.get $v1) (f64.const 0)))
            (f64.ne (local.get $v2) (f64.const 0)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $units)))
    (f64.store offset=0 (local.get $largest) (local.get $l0))
    (f64.store offset=8 (local.get $largest) (local.get $l1))
    (f64.store offset=16 (local.get $largest) (local.get $l2))
    (local.get $count))
)
