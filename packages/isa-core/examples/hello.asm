*---------------------------------------------------------------------*
* HELLO: a bare-metal ESA/390 program. It copies an EBCDIC greeting   *
* into a buffer, counts the characters before the first blank and    *
* adds them up, leaves its results in registers and stops in a        *
* disabled wait:                                                      *
*   GR02 = X'C8C5D3D3'  'HELL' in EBCDIC (code page 037)              *
*   GR04 = 5            characters before the first blank            *
*   GR05 = X'00000409'  sum of the EBCDIC bytes of 'HELLO'            *
*   GR09 = address of GREETING (from the literal =A(GREETING))        *
*   PSW  = 000A0000 00000000                                          *
*---------------------------------------------------------------------*
HELLO    START 0
R2       EQU   2
R4       EQU   4
R5       EQU   5
R6       EQU   6
R7       EQU   7
R8       EQU   8
R9       EQU   9
R12      EQU   12
         DC    X'00080000',A(BEGIN)    restart new PSW (ESA/390 format)
         ORG   HELLO+X'200'
BEGIN    BASR  R12,0                   establish addressability
         USING *,R12
         MVC   BUFFER,GREETING         copy the greeting
         ICM   R2,B'1111',BUFFER       first four characters
         SR    R4,R4                   character count
         SR    R5,R5                   sum of the characters
         SR    R8,R8                   IC replaces only the low byte
         LA    R6,BUFFER
         LA    R7,L'BUFFER
SCAN     CLI   0(R6),C' '              stop at the first blank
         JE    DONE
         IC    R8,0(,R6)
         AR    R5,R8
         AHI   R4,1
         LA    R6,1(,R6)
         JCT   R7,SCAN
DONE     L     R9,=A(GREETING)
         LPSW  WAITPSW                 stop
         LTORG
GREETING DC    CL12'HELLO WORLD'
BUFFER   DS    CL(L'GREETING)
         DS    0D
WAITPSW  DC    X'000A0000',A(0)        disabled wait, address 0
         END   BEGIN
