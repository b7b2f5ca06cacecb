;; Direct convolution for the trainer's forward pass (ops/conv.ts, wasm/direct-conv.ts): each
;; window is read in place from the zero-padded images, with no im2col matrix. Addresses are in
;; bytes. Output position n (n = image x positions + position) has its window's origin at
;; img + origN[n] and its output at out + outN[n] (+ one channel = pb bytes further); tap t of a
;; window is at origin + offs[t]. np is the number of positions rounded up to even (the tables'
;; extra entry points at a finite number and an output nobody reads).
;;
;; out[n][c] = (sum of the even taps' w[c][t] x_n[t]) + (sum of the odd taps') + bias[c], then
;; max(., 0) with relu: the terms and their order are those of gemm.wat's product on the im2col
;; operands (its lanes hold the even and the odd terms of k, each summed in increasing order,
;; then lane 0 + lane 1), so the outputs are the same to the last bit. kp is K rounded up to
;; even (the extra tap has weight 0 and reads the window's first number, adding +0 or -0 to a sum
;; that is never -0: nothing). As gemm.wat: SIMD lanes along the taps (even, odd), blocks of 2
;; positions x 4 channels (8 sums, 2 windows and the weights in registers), then 2 positions x 1
;; channel. The weights of each block of 4 channels (the first cout - cout % 4) are interleaved:
;; for each tap pair i, the 4 channels' (w[c][2i], w[c][2i + 1]) in turn, so one pointer walks
;; them; the other channels' are rows of kp.
;;
;; The relu is pmax(v, floor) = (v < floor ? floor : v) with floor 0 (relu) or -inf (none, which
;; leaves every v, NaN included): as Math.max(v, 0) except for v = -0, which cannot occur (the
;; sum is never -0, and a sum that is not -0 plus the bias is not -0).
(module
  (memory (export "memory") 1)
  (func (export "forward") (param $img i32) (param $origN i32) (param $outN i32) (param $offs i32) (param $w i32) (param $bias i32)
    (param $out i32) (param $np i32) (param $kp i32) (param $cout i32) (param $pb i32) (param $relu i32)
    (local $n i32) (local $nEnd i32) (local $c i32) (local $o0 i32) (local $o1 i32) (local $q0 i32) (local $q1 i32)
    (local $tp i32) (local $kb i32) (local $w0 i32) (local $wEnd i32) (local $ta i32) (local $tb i32)
    (local $a00 v128) (local $a01 v128) (local $a02 v128) (local $a03 v128)
    (local $a10 v128) (local $a11 v128) (local $a12 v128) (local $a13 v128)
    (local $x0 v128) (local $x1 v128) (local $y v128) (local $floor v128)
    (local.set $floor (v128.const f64x2 -inf -inf))
    (if (local.get $relu) (then (local.set $floor (v128.const f64x2 0 0))))
    (local.set $kb (i32.shl (local.get $kp) (i32.const 3)))
    (local.set $n (local.get $origN))
    (local.set $nEnd (i32.add (local.get $origN) (i32.shl (local.get $np) (i32.const 2))))
    (loop $positions
      (local.set $o0 (i32.add (local.get $img) (i32.load (local.get $n))))
      (local.set $o1 (i32.add (local.get $img) (i32.load offset=4 (local.get $n))))
      (local.set $q0 (i32.add (local.get $out) (i32.load (i32.add (local.get $outN) (i32.sub (local.get $n) (local.get $origN))))))
      (local.set $q1 (i32.add (local.get $out) (i32.load offset=4 (i32.add (local.get $outN) (i32.sub (local.get $n) (local.get $origN))))))
      (local.set $c (i32.const 0))
      (block $fours_done
        (loop $fours
          (br_if $fours_done (i32.gt_u (i32.add (local.get $c) (i32.const 4)) (local.get $cout)))
          ;; This block's weights: 4 channels' pairs (taps 2i, 2i + 1) together for each i.
          (local.set $w0 (i32.add (local.get $w) (i32.mul (local.get $c) (local.get $kb))))
          (local.set $wEnd (i32.add (local.get $w0) (i32.shl (local.get $kb) (i32.const 2))))
          (local.set $a00 (v128.const f64x2 0 0)) (local.set $a01 (v128.const f64x2 0 0))
          (local.set $a02 (v128.const f64x2 0 0)) (local.set $a03 (v128.const f64x2 0 0))
          (local.set $a10 (v128.const f64x2 0 0)) (local.set $a11 (v128.const f64x2 0 0))
          (local.set $a12 (v128.const f64x2 0 0)) (local.set $a13 (v128.const f64x2 0 0))
          (local.set $tp (local.get $offs))
          (loop $taps
            (local.set $ta (i32.load (local.get $tp)))
            (local.set $tb (i32.load offset=4 (local.get $tp)))
            (local.set $x0 (v128.load64_lane 1 (i32.add (local.get $o0) (local.get $tb)) (v128.load64_zero (i32.add (local.get $o0) (local.get $ta)))))
            (local.set $x1 (v128.load64_lane 1 (i32.add (local.get $o1) (local.get $tb)) (v128.load64_zero (i32.add (local.get $o1) (local.get $ta)))))
            (local.set $y (v128.load offset=0 (local.get $w0)))
            (local.set $a00 (f64x2.add (local.get $a00) (f64x2.mul (local.get $y) (local.get $x0))))
            (local.set $a10 (f64x2.add (local.get $a10) (f64x2.mul (local.get $y) (local.get $x1))))
            (local.set $y (v128.load offset=16 (local.get $w0)))
            (local.set $a01 (f64x2.add (local.get $a01) (f64x2.mul (local.get $y) (local.get $x0))))
            (local.set $a11 (f64x2.add (local.get $a11) (f64x2.mul (local.get $y) (local.get $x1))))
            (local.set $y (v128.load offset=32 (local.get $w0)))
            (local.set $a02 (f64x2.add (local.get $a02) (f64x2.mul (local.get $y) (local.get $x0))))
            (local.set $a12 (f64x2.add (local.get $a12) (f64x2.mul (local.get $y) (local.get $x1))))
            (local.set $y (v128.load offset=48 (local.get $w0)))
            (local.set $a03 (f64x2.add (local.get $a03) (f64x2.mul (local.get $y) (local.get $x0))))
            (local.set $a13 (f64x2.add (local.get $a13) (f64x2.mul (local.get $y) (local.get $x1))))
            (local.set $tp (i32.add (local.get $tp) (i32.const 8)))
            (local.set $w0 (i32.add (local.get $w0) (i32.const 64)))
            (br_if $taps (i32.lt_u (local.get $w0) (local.get $wEnd))))
          (call $finish (local.get $a00) (local.get $a10) (local.get $bias) (local.get $c) (local.get $q0) (local.get $q1) (local.get $pb) (local.get $floor))
          (call $finish (local.get $a01) (local.get $a11) (local.get $bias) (i32.add (local.get $c) (i32.const 1)) (local.get $q0) (local.get $q1) (local.get $pb) (local.get $floor))
          (call $finish (local.get $a02) (local.get $a12) (local.get $bias) (i32.add (local.get $c) (i32.const 2)) (local.get $q0) (local.get $q1) (local.get $pb) (local.get $floor))
          (call $finish (local.get $a03) (local.get $a13) (local.get $bias) (i32.add (local.get $c) (i32.const 3)) (local.get $q0) (local.get $q1) (local.get $pb) (local.get $floor))
          (local.set $c (i32.add (local.get $c) (i32.const 4)))
          (br $fours)))
      (block $ones_done
        (loop $ones
          (br_if $ones_done (i32.ge_u (local.get $c) (local.get $cout)))
          (local.set $w0 (i32.add (local.get $w) (i32.mul (local.get $c) (local.get $kb))))
          (local.set $wEnd (i32.add (local.get $w0) (local.get $kb)))
          (local.set $a00 (v128.const f64x2 0 0))
          (local.set $a10 (v128.const f64x2 0 0))
          (local.set $tp (local.get $offs))
          (loop $taps1
            (local.set $ta (i32.load (local.get $tp)))
            (local.set $tb (i32.load offset=4 (local.get $tp)))
            (local.set $y (v128.load (local.get $w0)))
            (local.set $a00 (f64x2.add (local.get $a00) (f64x2.mul (local.get $y)
              (v128.load64_lane 1 (i32.add (local.get $o0) (local.get $tb)) (v128.load64_zero (i32.add (local.get $o0) (local.get $ta)))))))
            (local.set $a10 (f64x2.add (local.get $a10) (f64x2.mul (local.get $y)
              (v128.load64_lane 1 (i32.add (local.get $o1) (local.get $tb)) (v128.load64_zero (i32.add (local.get $o1) (local.get $ta)))))))
            (local.set $tp (i32.add (local.get $tp) (i32.const 8)))
            (local.set $w0 (i32.add (local.get $w0) (i32.const 16)))
            (br_if $taps1 (i32.lt_u (local.get $w0) (local.get $wEnd))))
          (call $finish (local.get $a00) (local.get $a10) (local.get $bias) (local.get $c) (local.get $q0) (local.get $q1) (local.get $pb) (local.get $floor))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $ones)))
      (local.set $n (i32.add (local.get $n) (i32.const 8)))
      (br_if $positions (i32.lt_u (local.get $n) (local.get $nEnd))))
  )
  ;; Channel c of two positions from their sums s0, s1 (lanes: even terms, odd terms): lane 0 +
  ;; lane 1 of each, + bias[c], the relu, stored at q0 + c pb and q1 + c pb.
  (func $finish (param $s0 v128) (param $s1 v128) (param $bias i32) (param $c i32) (param $q0 i32) (param $q1 i32) (param $pb i32) (param $floor v128)
    (local $v v128) (local $at i32)
    (local.set $v (f64x2.add
      (f64x2.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $s0) (local.get $s1))
                 (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s0) (local.get $s1)))
      (v128.load64_splat (i32.add (local.get $bias) (i32.shl (local.get $c) (i32.const 3))))))
    (local.set $v (f64x2.pmax (local.get $v) (local.get $floor)))
    (local.set $at (i32.mul (local.get $c) (local.get $pb)))
    (f64.store (i32.add (local.get $q0) (local.get $at)) (f64x2.extract_lane 0 (local.get $v)))
    (f64.store (i32.add (local.get $q1) (local.get $at)) (f64x2.extract_lane 1 (local.get $v)))
  )
;; weight_grad: acc(c, t) += sum over n of dz[c][n] x_n[t], each acc a v128 whose lanes are the
;; even and the odd n (gemm.wat's lanes along its inner dimension, here n), summed in increasing
;; n: the same terms and order as the staged GEMM of dZ^T and col^T, so lane 0 + lane 1 is its
;; result to the last bit. Blocks of 4 channels x 2 taps (8 sums in registers); n runs in chunks
;; of 64 pairs for every tap and block, so the chunk's dZ (16 KB for 16 channels) stays in the
;; first-level cache (a sum kept in memory between chunks stays the same number). cq blocks of
;; 4 channels (dZ's extra channels zero), kp taps (the extra tap's sums unused).
;;   dz: for each block q, for each pair of n, the 4 channels' (dz[c][n], dz[c][n + 1]) in turn.
;;   acc: for each block q and tap pair i, the 4 channels' sums of tap 2i, then of tap 2i + 1.
  (func (export "weight_grad") (param $img i32) (param $origN i32) (param $offs i32) (param $dz i32) (param $acc i32)
    (param $np i32) (param $kp i32) (param $cq i32)
    (local $i0 i32) (local $i1 i32) (local $pairs i32) (local $tp i32) (local $q i32) (local $srcA i32) (local $srcB i32)
    (local $op i32) (local $opEnd i32) (local $dp i32) (local $ap i32) (local $oa i32) (local $ob i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $xa v128) (local $xb v128) (local $d v128)
    (local.set $pairs (i32.shr_u (local.get $np) (i32.const 1)))
    (local.set $i0 (i32.const 0))
    (loop $chunks
      (local.set $i1 (i32.add (local.get $i0) (i32.const 64)))
      (if (i32.gt_u (local.get $i1) (local.get $pairs)) (then (local.set $i1 (local.get $pairs))))
      (local.set $tp (i32.const 0))
      (loop $taps
        (local.set $srcA (i32.add (local.get $img) (i32.load (i32.add (local.get $offs) (i32.shl (local.get $tp) (i32.const 2))))))
        (local.set $srcB (i32.add (local.get $img) (i32.load offset=4 (i32.add (local.get $offs) (i32.shl (local.get $tp) (i32.const 2))))))
        (local.set $q (i32.const 0))
        (loop $blocks
          ;; acc + ((q kp/2 + tp/2) 8) 16 bytes: tp counts taps (even), so (q kp + tp) 64.
          (local.set $ap (i32.add (local.get $acc) (i32.shl (i32.add (i32.mul (local.get $q) (local.get $kp)) (local.get $tp)) (i32.const 6))))
          (local.set $a0 (v128.load offset=0 (local.get $ap)))
          (local.set $a1 (v128.load offset=16 (local.get $ap)))
          (local.set $a2 (v128.load offset=32 (local.get $ap)))
          (local.set $a3 (v128.load offset=48 (local.get $ap)))
          (local.set $b0 (v128.load offset=64 (local.get $ap)))
          (local.set $b1 (v128.load offset=80 (local.get $ap)))
          (local.set $b2 (v128.load offset=96 (local.get $ap)))
          (local.set $b3 (v128.load offset=112 (local.get $ap)))
          (local.set $op (i32.add (local.get $origN) (i32.shl (local.get $i0) (i32.const 3))))
          (local.set $opEnd (i32.add (local.get $origN) (i32.shl (local.get $i1) (i32.const 3))))
          (local.set $dp (i32.add (local.get $dz) (i32.shl (i32.add (i32.mul (local.get $q) (local.get $pairs)) (local.get $i0)) (i32.const 6))))
          (loop $n
            (local.set $oa (i32.load (local.get $op)))
            (local.set $ob (i32.load offset=4 (local.get $op)))
            (local.set $xa (v128.load64_lane 1 (i32.add (local.get $srcA) (local.get $ob)) (v128.load64_zero (i32.add (local.get $srcA) (local.get $oa)))))
            (local.set $xb (v128.load64_lane 1 (i32.add (local.get $srcB) (local.get $ob)) (v128.load64_zero (i32.add (local.get $srcB) (local.get $oa)))))
            (local.set $d (v128.load offset=0 (local.get $dp)))
            (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $d) (local.get $xa))))
            (local.set $b0 (f64x2.add (local.get $b0) (f64x2.mul (local.get $d) (local.get $xb))))
            (local.set $d (v128.load offset=16 (local.get $dp)))
            (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $d) (local.get $xa))))
            (local.set $b1 (f64x2.add (local.get $b1) (f64x2.mul (local.get $d) (local.get $xb))))
            (local.set $d (v128.load offset=32 (local.get $dp)))
            (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $d) (local.get $xa))))
            (local.set $b2 (f64x2.add (local.get $b2) (f64x2.mul (local.get $d) (local.get $xb))))
            (local.set $d (v128.load offset=48 (local.get $dp)))
            (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (local.get $d) (local.get $xa))))
            (local.set $b3 (f64x2.add (local.get $b3) (f64x2.mul (local.get $d) (local.get $xb))))
            (local.set $dp (i32.add (local.get $dp) (i32.const 64)))
            (local.set $op (i32.add (local.get $op) (i32.const 8)))
            (br_if $n (i32.lt_u (local.get $op) (local.get $opEnd))))
          (v128.store offset=0 (local.get $ap) (local.get $a0))
          (v128.store offset=16 (local.get $ap) (local.get $a1))
          (v128.store offset=32 (local.get $ap) (local.get $a2))
          (v128.store offset=48 (local.get $ap) (local.get $a3))
          (v128.store offset=64 (local.get $ap) (local.get $b0))
          (v128.store offset=80 (local.get $ap) (local.get $b1))
          (v128.store offset=96 (local.get $ap) (local.get $b2))
          (v128.store offset=112 (local.get $ap) (local.get $b3))
          (local.set $q (i32.add (local.get $q) (i32.const 1)))
          (br_if $blocks (i32.lt_u (local.get $q) (local.get $cq))))
        (local.set $tp (i32.add (local.get $tp) (i32.const 2)))
        (br_if $taps (i32.lt_u (local.get $tp) (local.get $kp))))
      (local.set $i0 (local.get $i1))
      (br_if $chunks (i32.lt_u (local.get $i0) (local.get $pairs))))
  )
;; lay_dz: dZ from dy (batch x cout x P) into weight_grad's layout, for cq blocks of 4 channels
;; (the channels past cout, and an odd N's extra n, zero). With mask (relu = 1): dZ = dy where
;; mask > 0, else +0 (select, as JavaScript's mask > 0 ? dy : 0, NaN included), also written
;; back over dy. sums[c] (f64) += dZ over (image, position) in order: the bias gradient.
  (func (export "lay_dz") (param $dy i32) (param $mask i32) (param $dz i32) (param $sums i32)
    (param $batch i32) (param $P i32) (param $cout i32) (param $cq i32) (param $np i32) (param $relu i32)
    (local $q i32) (local $b i32) (local $p i32) (local $n i32) (local $j i32) (local $jEnd i32) (local $src i32) (local $at i32)
    (local $block i32) (local $pairs i32) (local $pb i32) (local $i i32) (local $v f64) (local $s0 f64) (local $s1 f64) (local $s2 f64) (local $s3 f64)
    (local.set $pairs (i32.shr_u (local.get $np) (i32.const 1)))
    (local.set $pb (i32.shl (local.get $P) (i32.const 3)))
    (local.set $q (i32.const 0))
    (loop $blocks
      (local.set $block (i32.add (local.get $dz) (i32.shl (i32.mul (local.get $q) (local.get $pairs)) (i32.const 6))))
      (local.set $jEnd (i32.sub (local.get $cout) (i32.shl (local.get $q) (i32.const 2))))
      (if (i32.gt_s (local.get $jEnd) (i32.const 4)) (then (local.set $jEnd (i32.const 4))))
      ;; Zero the block first: channels past cout and an odd N's extra n stay zero.
      (memory.fill (local.get $block) (i32.const 0) (i32.shl (local.get $pairs) (i32.const 6)))
      (local.set $j (i32.const 0))
      (loop $channels
        (local.set $s0 (f64.const 0))
        (local.set $n (i32.const 0))
        (local.set $b (i32.const 0))
        (loop $images
          ;; dy + ((b cout + 4q + j) P) 8
          (local.set $src (i32.shl (i32.mul (i32.add (i32.mul (local.get $b) (local.get $cout)) (i32.add (i32.shl (local.get $q) (i32.const 2)) (local.get $j))) (local.get $P)) (i32.const 3)))
          (local.set $p (i32.const 0))
          (loop $positions
            (local.set $i (i32.add (local.get $src) (i32.shl (local.get $p) (i32.const 3))))
            (local.set $v (f64.load (i32.add (local.get $dy) (local.get $i))))
            (if (local.get $relu)
              (then
                (local.set $v (select (local.get $v) (f64.const 0) (f64.gt (f64.load (i32.add (local.get $mask) (local.get $i))) (f64.const 0))))
                (f64.store (i32.add (local.get $dy) (local.get $i)) (local.get $v))))
            ;; block + (n >> 1) 64 + j 16 + (n & 1) 8
            (f64.store (i32.add (local.get $block) (i32.add (i32.shl (i32.shr_u (local.get $n) (i32.const 1)) (i32.const 6))
              (i32.add (i32.shl (local.get $j) (i32.const 4)) (i32.shl (i32.and (local.get $n) (i32.const 1)) (i32.const 3))))) (local.get $v))
            (local.set $s0 (f64.add (local.get $s0) (local.get $v)))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br_if $positions (i32.lt_u (local.get $p) (local.get $P))))
          (local.set $b (i32.add (local.get $b) (i32.const 1)))
          (br_if $images (i32.lt_u (local.get $b) (local.get $batch))))
        (local.set $at (i32.add (local.get $sums) (i32.shl (i32.add (i32.shl (local.get $q) (i32.const 2)) (local.get $j)) (i32.const 3))))
        (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (local.get $s0)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $channels (i32.lt_u (local.get $j) (local.get $jEnd))))
      (local.set $q (i32.add (local.get $q) (i32.const 1)))
      (br_if $blocks (i32.lt_u (local.get $q) (local.get $cq))))
  )
)
