*---------------------------------------------------------------------*
* BCT-LOOP: the Hercules speed-anchor loop (AR 1,3 / BCT 2,LOOP) from *
* hercules-oracle.md, with a result to check. Register 1 adds up     *
* register 3 (3) COUNT times while BCT counts register 2 down; then  *
* the program loads a disabled-wait PSW.                              *
*   Expected: GR01 = 3 * COUNT = X'00000BB8', GR02 = 0, GR03 = 3,     *
*             PSW = 000A0000 00000000                                 *
* Load: strachey asm bct-loop.asm --rc bct-loop.rc, then give the     *
* script 'restart', 'pause 1', 'gpr' (Hercules or strachey run).      *
*---------------------------------------------------------------------*
BCTLOOP  START 0
         DC    X'00080000',A(BEGIN)    restart new PSW (ESA/390 format)
         ORG   BCTLOOP+X'200'
         USING BCTLOOP,0               low core: register 0 supplies 0
BEGIN    L     2,COUNT                 loop count
         LA    3,3                     the addend
         SR    1,1                     the sum
LOOP     AR    1,3
         BCT   2,LOOP
         LPSW  WAITPSW                 stop
         ORG   BCTLOOP+X'300'
COUNT    DC    F'1000'
         DS    0D
WAITPSW  DC    X'000A0000',A(0)        disabled wait, address 0
         END   BEGIN
