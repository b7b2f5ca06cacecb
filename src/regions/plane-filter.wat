;; The plane engine's first test of a polygon against every breakpoint line of an elementwise
;; step (plane.ts, cutElementwise): for unit j and breakpoint t, the line a + b u + c v = 0 with
;; a = z0[j] - t, b = z1[j], c = z2[j] is evaluated at the polygon's centroid (cu, cv), and it has
;; one sign over the whole polygon when |fc| exceeds the bound
;;   bound = (|b| pu + |c| pv + base + K |a| + ea) (1 + 64 eps) + 2^-1000,
;; ea = e0 (t = 0) or e0 + 2 eps |z0[j]| (see plane.ts for pu, pv, base and K). Same operations
;; in the same order as plane.ts would do them, so the same decisions to the bit.
;; full[j] (bytes) gets the number of breakpoints decided below the unit's input; the undecided
;; (j, breakpoint) pairs go to `undecided`, in order, as i32 pairs; their count is returned.
;; c holds the f64 constants cu, cv, pu, pv, base, K, e0.
;; Regenerate plane-filter-wasm.ts after editing: `npx tsx scripts/build-engine-wasm.ts`.
(module
  (memory (export "memory") 1)
  (func (export "filter")
    (param $z i32) (param $n i32) (param $t i32) (param $tn i32) (param $c i32) (param $full i32) (param $undecided i32)
    (result i32)
    (local $j i32) (local $bp i32) (local $count i32) (local $state i32) (local $zj i32) (local $nb i32)
    (local $cu f64) (local $cv f64) (local $pu f64) (local $pv f64) (local $base f64) (local $K f64) (local $e0 f64)
    (local $z0 f64) (local $b f64) (local $cc f64) (local $unit f64) (local $tb f64) (local $a f64) (local $ea f64)
    (local $fc f64) (local $bound f64)
    (local.set $cu (f64.load offset=0 (local.get $c)))
    (local.set $cv (f64.load offset=8 (local.get $c)))
    (local.set $pu (f64.load offset=16 (local.get $c)))
    (local.set $pv (f64.load offset=24 (local.get $c)))
    (local.set $base (f64.load offset=32 (local.get $c)))
    (local.set $K (f64.load offset=40 (local.get $c)))
    (local.set $e0 (f64.load offset=48 (local.get $c)))
    (local.set $nb (i32.shl (local.get $n) (i32.const 3)))
    (block $done
      (loop $units
        (br_if $done (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $zj (i32.add (local.get $z) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $z0 (f64.load (local.get $zj)))
        (local.set $b (f64.load (i32.add (local.get $zj) (local.get $nb))))
        (local.set $cc (f64.load (i32.add (i32.add (local.get $zj) (local.get $nb)) (local.get $nb))))
        (local.set $unit (f64.add (f64.add (f64.mul (f64.abs (local.get $b)) (local.get $pu)) (f64.mul (f64.abs (local.get $cc)) (local.get $pv)))
          (local.get $base)))
        (local.set $state (i32.const 0))
        (local.set $bp (i32.const 0))
        (block $bps_done
          (loop $bps
            (br_if $bps_done (i32.ge_u (local.get $bp) (local.get $tn)))
            (local.set $tb (f64.load (i32.add (local.get $t) (i32.shl (local.get $bp) (i32.const 3)))))
            (local.set $a (f64.sub (local.get $z0) (local.get $tb)))
            (local.set $ea (select (local.get $e0)
              (f64.add (local.get $e0) (f64.mul (f64.const 0x1p-52) (f64.abs (local.get $z0))))
              (f64.eq (local.get $tb) (f64.const 0))))
            (local.set $fc (f64.add (f64.add (local.get $a) (f64.mul (local.get $b) (local.get $cu))) (f64.mul (local.get $cc) (local.get $cv))))
            (local.set $bound (f64.add
              (f64.mul (f64.add (f64.add (local.get $unit) (f64.mul (local.get $K) (f64.abs (local.get $a)))) (local.get $ea))
                (f64.const 0x1.000000000002p+0))
              (f64.const 0x1p-1000)))
            (if (f64.gt (f64.abs (local.get $fc)) (local.get $bound))
              (then (local.set $state (i32.add (local.get $state) (f64.gt (local.get $fc) (f64.const 0)))))
              (else
                (i32.store offset=0 (local.get $undecided) (local.get $j))
                (i32.store offset=4 (local.get $undecided) (local.get $bp))
                (local.set $undecided (i32.add (local.get $undecided) (i32.const 8)))
                (local.set $count (i32.add (local.get $count) (i32.const 1)))))
            (local.set $bp (i32.add (local.get $bp) (i32.const 1)))
            (br $bps)))
        (i32.store8 (i32.add (local.get $full) (local.get $j)) (local.get $state))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $units)))
    (local.get $count)))
