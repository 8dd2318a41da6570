*        STRACHEY CMS: a single-user monitor in the style of VM/370
*        CMS. IPLed from a minidisk: record 2 of track 0 is this
*        nucleus, read to X'2000' by the IPL record's CCW.
*        Console: the 3215 at device 0009 (SSCH/TSCH, CCW X'09' write
*        with carrier return, X'0A' read). A-disk: device 0191 through
*        DIAGNOSE X'018' (format-0 channel programs). CP commands by
*        DIAGNOSE X'008'. File-system format: see cms/README.md.
*        Supervisor state, key 0, DAT off, 31-bit addressing.
*
*        The nucleus is pure: it never stores into itself, so CP can
*        save it once (SAVESYS CMS) and map the same pages into every
*        user's storage (IPL CMS). Everything CMS writes lives in NUCON,
*        the nucleus constant area in the user's own page 0 (X'200' up,
*        addressed with base 0, as VM/370 CMS kept NUCON in low storage),
*        or in the buffers above the nucleus (DIRBUF, MAPBUF, ...).
CMS      START X'2000'
CMSINIT  BALR  12,0
         USING *,12,11,10
         USING NUCON,0
         LA    11,4095(,12)
         LA    11,1(,11)
         LA    10,4095(,11)
         LA    10,1(,10)
*        A fresh NUCON: zero X'200'-X'FFF', then the initial CCWs/ORB.
         LA    2,TYPSAVE
         LA    3,NUCEND-TYPSAVE
         SR    5,5
         MVCL  2,4
         STM   10,12,BASES         bases for the user-program service
         MVC   CONORB(NUCTLEN),NUCTMPL
         DIAG  2,0,X'060'          virtual storage size
         ST    2,STORSIZE
         MVC   X'58'(8),EXTNEW
         MVC   X'60'(8),SVCNEW
         MVC   X'68'(8),PGMNEW
         MVC   X'78'(8),IONEW
         LCTL  0,0,=X'00000800'    clock-comparator subclass mask
         LCTL  6,6,=X'FF000000'    all I/O interruption subclasses
         SPT   =X'7FFFFFFFFFFFFFFF'
*        Find the console (device number 0009) among the subchannels.
         L     1,=X'00010000'
FINDCON  STSCH SCHIB
         BC    1,NOCON
         CLC   SCHIB+6(2),=X'0009'
         BE    GOTCON
         LA    1,1(,1)
         B     FINDCON
NOCON    L     1,=X'00010000'
         STSCH SCHIB
GOTCON   ST    1,CONSID
         OI    SCHIB+5,X'80'
         MSCH  SCHIB
         LA    1,BANNER
         LA    0,L'BANNER
         BAL   14,PUTLINE
         BAL   14,ACCESSA
         SR    15,15
*
*        The command loop: Ready message, read a line, dispatch.
*
READY    ST    15,LASTRC
         MVC   LINE(130),BLANKS
         LA    4,LINE
         LTR   15,15
         BNZ   READYRC
         MVC   0(8,4),=C'Ready; T'
         LA    4,8(,4)
         B     READYT
READYRC  MVC   0(6,4),=C'Ready('
         LPR   1,15
         LA    2,6(,4)
         LA    3,5
         LA    0,1
         LTR   15,15
         BNM   READYP2
         MVI   6(4),C'-'
         LA    2,7(,4)
         LA    3,4
READYP2  BAL   14,CVTDEC
         MVC   11(4,4),=C'); T'
         LA    4,15(,4)
READYT   MVI   0(4),C'='
         STPT  DWORK
         LM    6,7,=X'7FFFFFFFFFFFFFFF'
         SL    7,DWORK+4
         BC    3,NOBORROW
         BCTR  6,0
NOBORROW SL    6,DWORK
         SRDL  6,12                microseconds of CPU timer used
         D     6,=F'10000'         hundredths of a second
         LR    8,7
         LA    2,1(,4)
         BAL   14,CENTS
         MVI   5(4),C'/'
         LA    2,6(,4)
         LR    7,8
         BAL   14,CENTS
         LA    2,11(,4)
         BAL   14,CLOCK
         LA    1,LINE
         LA    0,19(,4)
         SR    0,1
         BAL   14,PUTLINE
*        Read the next command line.
GETCMD   BAL   14,GETLINE
         LTR   0,0
         BZ    GETCMD
         OC    INBUF(130),BLANKS   upper case the command line
         BAL   14,TOKENIZE
         L     0,NTOK
         LTR   0,0
         BZ    GETCMD
         LA    4,CMDTAB
CMDLOOP  CLI   0(4),X'FF'
         BE    TRYMOD
         CLC   0(8,4),TOK1
         BE    CMDGO
         LA    4,12(,4)
         B     CMDLOOP
CMDGO    L     15,8(,4)
         BR    15
TRYMOD   BAL   14,RUNMOD           a MODULE on the A-disk?
*
*        Implied CP (SET IMPCP ON, CMS's default): a line that is no
*        CMS command and no MODULE goes to CP through DIAGNOSE X'008'
*        with a response buffer (FILEBUF, up to the top of storage), so
*        CMS sees CP's answer before the user does. CP's rc 1 is its
*        HCPCMD001E, unknown command: then the line is unknown to both
*        and the user sees CMS's message, not CP's. Otherwise CP's
*        response lines (X'15' between them), Ready(rc) with CP's rc.
*        A LOGOFF this way ends the machine once the DIAGNOSE is done.
*
IMPCP    LA    2,INBUF
         L     3,=A(FILEBUF)
         L     4,INLEN
         O     4,=X'40000000'      flag X'40': response to R3, R5 long
         L     5,STORSIZE
         SR    5,3
         DIAG  2,4,X'008'
         BC    8,IMPCP1            cc 0: R5 = the response length
         L     5,STORSIZE          cc 1: buffer full, the rest lost
         SR    5,3
IMPCP1   C     4,=F'1'
         BE    UNKNOWN
         LR    7,4                 CP's rc (PUTLINE keeps R0-R9)
         LR    6,3
         AR    6,5                 R6 = end of the response
         LR    1,3                 R1 = start of the current line
         LR    2,3                 R2 = scan
IMPSCAN  CR    2,6
         BNL   IMPLAST
         CLI   0(2),X'15'
         BE    IMPLINE
         LA    2,1(,2)
         B     IMPSCAN
IMPLINE  LR    0,2
         SR    0,1
         BAL   14,PUTLINE
         LA    2,1(,2)
         LR    1,2
         B     IMPSCAN
IMPLAST  LR    0,2
         SR    0,1
         BZ    IMPDONE             no last line (empty response)
         BAL   14,PUTLINE
IMPDONE  LR    15,7
         B     READY
UNKNOWN  LA    1,MSGUNK
         LA    0,L'MSGUNK
         BAL   14,PUTLINE
         L     15,=F'-3'
         B     READY
*
*        #CP / CP: the rest of the line to CP through DIAGNOSE X'008';
*        CP writes its response on the console itself. rc = CP's rc.
*
CPCMD    L     2,TOKPOS+4
         LTR   2,2
         BZ    CPEMPTY
         LA    2,INBUF(2)
         L     3,INLEN
         LA    3,INBUF(3)
         SR    3,2
         DIAG  2,3,X'008'
         LR    15,3
         B     READY
CPEMPTY  SR    15,15
         B     READY
*
*        ACCESS 191 A: re-read the A-disk's directory.
*
ACCCMD   CLC   TOK2,=CL8'191'
         BNE   ACCBAD
         CLC   TOK3,=CL8'A'
         BNE   ACCBAD
         BAL   14,ACCESSA
         B     READY
ACCBAD   LA    1,MSGACCB
         LA    0,L'MSGACCB
         BAL   14,PUTLINE
         LA    15,24
         B     READY
*
*        QUERY DISK (other QUERY operands go to CP, the way an
*        implied CP command does).
*
QRYCMD   CLC   TOK2,=CL8'DISK'
         BNE   CPCMD2
         CLI   ACCESSED,1
         BNE   NOTACC
         MVC   LINE(130),BLANKS
         MVC   LINE(QDLEN),QDHEAD
         LA    1,LINE
         LA    0,QDLEN
         BAL   14,PUTLINE
         MVC   LINE(130),BLANKS
         L     9,=A(DIRBUF)
         MVC   LINE(6),8(9)        label
         MVC   LINE+7(8),=C'191  A  '
         MVC   LINE+15(3),=C'R/W'
         L     1,16(,9)            total blocks
         SR    0,0
         D     0,=F'15'
         LR    1,1
         LA    2,LINE+19
         LA    3,6
         SR    0,0
         BAL   14,CVTDEC
         MVC   LINE+26(4),=C'3390'
         MVC   LINE+31(4),=C'4096'
         BAL   14,COUNTDIR         R5 files, R6 blocks used
         LR    1,5
         LA    2,LINE+35
         LA    3,10
         SR    0,0
         BAL   14,CVTDEC
         LR    1,6
         LA    2,LINE+47
         LA    3,10
         SR    0,0
         BAL   14,CVTDEC
         MVI   LINE+57,C'-'
         LR    1,6                 percent used = used*100/total
         M     0,=F'100'
         L     9,=A(DIRBUF)
         D     0,16(,9)
         LA    2,LINE+58
         LA    3,2
         LA    0,1
         BAL   14,CVTDEC
         L     9,=A(DIRBUF)
         L     1,16(,9)
         SR    1,6
         LA    2,LINE+61
         LA    3,9
         SR    0,0
         BAL   14,CVTDEC
         L     9,=A(DIRBUF)
         L     1,16(,9)
         LA    2,LINE+72
         LA    3,9
         SR    0,0
         BAL   14,CVTDEC
         LA    1,LINE
         LA    0,81
         BAL   14,PUTLINE
         SR    15,15
         B     READY
CPCMD2   B     IMPCP               the whole line to CP, as implied CP
NOTACC   LA    1,MSGNACC
         LA    0,L'MSGNACC
         BAL   14,PUTLINE
         LA    15,36
         B     READY
*
*        LISTFILE [fn [ft [fm]]]: * and prefix* patterns.
*
LISTCMD  CLI   ACCESSED,1
         BNE   NOTACC
         MVC   PATFN,=CL8'*'
         MVC   PATFT,=CL8'*'
         L     0,NTOK
         CH    0,=H'2'
         BL    LISTGO
         MVC   PATFN,TOK2
         CH    0,=H'3'
         BL    LISTGO
         MVC   PATFT,TOK3
         CH    0,=H'4'
         BL    LISTGO
         LA    1,TOK4
         BAL   14,CHKMODE
         LTR   15,15
         BNZ   NOFILES
LISTGO   SR    8,8                 matches
         L     9,=A(DIRBUF+64)
         LA    7,63
LISTNXT  CLI   19(9),X'80'
         BNE   LISTSKIP
         LA    1,PATFN
         LA    2,0(,9)
         BAL   14,MATCH
         LTR   15,15
         BNZ   LISTSKIP
         LA    1,PATFT
         LA    2,8(,9)
         BAL   14,MATCH
         LTR   15,15
         BNZ   LISTSKIP
         MVC   LINE(130),BLANKS
         MVC   LINE(8),0(9)
         MVC   LINE+9(8),8(9)
         MVC   LINE+18(2),16(9)
         LA    1,LINE
         LA    0,20
         BAL   14,PUTLINE
         LA    8,1(,8)
LISTSKIP LA    9,64(,9)
         BCT   7,LISTNXT
         LTR   8,8
         BZ    NOFILES
         SR    15,15
         B     READY
NOFILES  LA    1,MSGNOF
         LA    0,L'MSGNOF
         BAL   14,PUTLINE
         LA    15,28
         B     READY
*
*        TYPE fn ft [fm]
*
TYPECMD  BAL   14,FINDARG          R9 = entry or error exit
         L     2,=A(FILEBUF)
         BAL   14,LOADFILE
         L     4,=A(FILEBUF)       R4 walks the records
         L     8,28(,9)            records left
         LTR   8,8
         BZ    TYPEDONE
TYPEREC  CLI   18(9),C'V'
         BE    TYPEV
         L     0,20(,9)
         LR    1,4
         AR    4,0
         B     TYPEPUT
TYPEV    LH    0,0(,4)
         LA    1,2(,4)
         LA    4,2(,4)
         AR    4,0
TYPEPUT  BAL   14,PUTTRIM
         BCT   8,TYPEREC
TYPEDONE SR    15,15
         B     READY
*
*        ERASE fn ft [fm]
*
ERASECMD BAL   14,FINDARG
         BAL   14,FREEBLKS
         XC    0(64,9),0(9)
         BAL   14,WRITEDIR
         SR    15,15
         B     READY
*
*        RENAME fn ft fm fn2 ft2 fm2 (= keeps the old name part)
*
RENCMD   BAL   14,FINDARG
         ST    9,SRCENT
         BAL   14,TARGET           NEWFN/NEWFT, error exit if it exists
         L     9,SRCENT
         MVC   0(8,9),NEWFN
         MVC   8(8,9),NEWFT
         BAL   14,WRITEDIR
         SR    15,15
         B     READY
*
*        COPYFILE fn ft fm fn2 ft2 fm2
*
COPYCMD  BAL   14,FINDARG
         ST    9,SRCENT
         BAL   14,TARGET
         L     9,=A(DIRBUF+64)     a free directory entry
         LA    7,63
COPYFE   CLI   19(9),X'80'
         BNE   COPYFREE
         LA    9,64(,9)
         BCT   7,COPYFE
         B     DISKFULL
COPYFREE ST    9,DSTENT
         L     9,SRCENT
         L     2,=A(FILEBUF)
         BAL   14,LOADFILE
         L     9,SRCENT
         L     5,36(,9)            blocks needed
         BAL   14,ALLOC            R6 first block or -1
         LTR   6,6
         BM    DISKFULL
         L     8,DSTENT
         MVC   0(64,8),0(9)
         MVC   0(8,8),NEWFN
         MVC   8(8,8),NEWFT
         ST    6,32(,8)
         LTR   5,5
         BZ    COPYDIR
         L     2,=A(FILEBUF)
         LR    1,6
COPYWR   ST    1,BLKNO
         BAL   14,WRBLK
         L     1,BLKNO
         LA    1,1(,1)
         LA    2,4095(,2)
         LA    2,1(,2)
         BCT   5,COPYWR
COPYDIR  BAL   14,WRITEMAP
         BAL   14,WRITEDIR
         SR    15,15
         B     READY
NOSTOR   LA    1,MSGSTOR
         LA    0,L'MSGSTOR
         BAL   14,PUTMSG
         LA    15,104
         B     READY
DISKFULL LA    1,MSGFULL
         LA    0,L'MSGFULL
         BAL   14,PUTMSG
         LA    15,13
         B     READY
*
*        RUNMOD: TOK1 MODULE A loaded at X'20000' and called:
*        R1 -> tokens (8 bytes each, X'FF' fence), R2 -> TYPLIN,
*        R14 return, R15 entry. R15 on return is the return code.
*
RUNMOD   CLI   ACCESSED,1
         BNER  14
         ST    14,RUNSAVE
         MVC   WKFN,TOK1
         MVC   WKFT,=CL8'MODULE'
         BAL   14,LOOKUP
         L     14,RUNSAVE
         LTR   9,9
         BZR   14
         L     2,=A(LOADAT)
         BAL   14,LOADFILE
         LA    1,TOK1
         LA    2,TYPLIN
         L     15,=A(LOADAT)
         BALR  14,15
         LM    10,12,BASES        recover the bases
         B     READY
*        TYPLIN service for user programs: R1 = text, R0 = length.
TYPLIN   STM   0,15,TYPSAVE
         LM    10,12,BASES
         BAL   14,PUTLINE
         LM    0,15,TYPSAVE
         BR    14
*
*        A program check or SVC (no SVC services yet) ends the program:
*        DMSABN148T SYSTEM ABEND 0Cx (or Dxx for SVC xx) CALLED FROM addr
*        and Ready(00148) -- CMS survives a failing user program.
*
PGMINT   LM    10,12,BASES
         MVC   LINE(130),BLANKS
         MVC   LINE(L'MSGABN),MSGABN
         LH    1,X'8E'             program interruption code
         N     1,=F'255'
         A     1,=X'000000C0'
         L     3,X'2C'             old PSW address
         B     ABEND
SVCINT   LM    10,12,BASES
         MVC   LINE(130),BLANKS
         MVC   LINE(L'MSGABN),MSGABN
         LH    1,X'8A'             SVC number
         N     1,=F'255'
         A     1,=X'00000D00'
         L     3,X'24'             SVC old PSW address
ABEND    LA    2,HEXO
         BAL   14,HEX
         MVC   LINE+24(3),HEXO+5
         LR    1,3
         N     1,=X'7FFFFFFF'
         BAL   14,HEX
         MVC   LINE+40(6),HEXO+2
         LA    1,LINE
         LA    0,46
         BAL   14,PUTLINE
         LA    15,148
         B     READY
*        HEX: R1 as 8 hexadecimal characters at HEXO.
HEX      ST    1,HEXW
         UNPK  HEXO(9),HEXW(5)
         TR    HEXO(8),HEXTAB-240
         BR    14
*
*        PUTMSG: R1 = message, R0 = length; a DMSxxx prefix gets the
*        first three letters of the command.
PUTMSG   MVC   LINE(130),BLANKS
         LR    15,0
         BCTR  15,0
         EX    15,MSGMVC
         CLC   LINE+3(3),=C'xxx'
         BNE   PUTMSG1
         MVC   LINE+3(3),TOK1
PUTMSG1  LA    1,LINE
         B     PUTLINE
MSGMVC   MVC   LINE(0),0(1)
*
*        FINDARG: TOK2/TOK3[/TOK4] name a file on A; R9 = its entry.
*        Missing: the "not found" message and Ready(28), not returning.
*
FINDARG  CLI   ACCESSED,1
         BNE   NOTACC
         L     0,NTOK
         CH    0,=H'3'
         BL    BADARGS
         MVC   WKFN,TOK2
         MVC   WKFT,TOK3
         ST    14,FASAVE
         CH    0,=H'4'
         BL    FINDA2
         LA    1,TOK4
         BAL   14,CHKMODE
         LTR   15,15
         BNZ   NOTFOUND
FINDA2   BAL   14,LOOKUP
         L     14,FASAVE
         LTR   9,9
         BNZR  14
NOTFOUND MVC   LINE(130),BLANKS
         MVC   LINE(15),=C'DMSxxx002E File'
         MVC   LINE+3(3),TOK1
         LA    4,LINE+16
         LA    1,WKFN
         BAL   14,PUTWORD
         LA    1,WKFT
         BAL   14,PUTWORD
         MVC   0(15,4),=C'A not found    '
         LA    1,LINE
         LA    0,11(,4)
         SR    0,1
         BAL   14,PUTLINE
         LA    15,28
         B     READY
BADARGS  LA    1,MSGARGS
         LA    0,L'MSGARGS
         BAL   14,PUTMSG
         LA    15,24
         B     READY
*        PUTWORD: copy the 8-byte name at R1 to R4 without its blanks.
PUTWORD  LA    0,8
PUTW1    CLI   0(1),C' '
         BE    PUTW2
         MVC   0(1,4),0(1)
         LA    4,1(,4)
         LA    1,1(,1)
         BCT   0,PUTW1
PUTW2    LA    4,1(,4)
         BR    14
*
*        TARGET: TOK5/TOK6 (= for "same") -> NEWFN/NEWFT; refuses an
*        existing file. SRCENT is the source entry.
*
TARGET   L     0,NTOK
         CH    0,=H'6'
         BL    BADARGS
         L     9,SRCENT
         MVC   NEWFN,TOK5
         CLC   TOK5,=CL8'='
         BNE   TARG2
         MVC   NEWFN,0(9)
TARG2    MVC   NEWFT,TOK6
         CLC   TOK6,=CL8'='
         BNE   TARG3
         MVC   NEWFT,8(9)
TARG3    ST    14,TGSAVE
         MVC   WKFN,NEWFN
         MVC   WKFT,NEWFT
         BAL   14,LOOKUP
         L     14,TGSAVE
         LTR   9,9
         BZR   14
         MVC   LINE(130),BLANKS
         MVC   LINE(15),=C'DMSxxx024E File'
         MVC   LINE+3(3),TOK1
         LA    4,LINE+16
         LA    1,WKFN
         BAL   14,PUTWORD
         LA    1,WKFT
         BAL   14,PUTWORD
         MVC   0(16,4),=C'A already exists'
         LA    1,LINE
         LA    0,16(,4)
         SR    0,1
         BAL   14,PUTLINE
         LA    15,28
         B     READY
*
*        CHKMODE: the token at R1 is A, A1..A6 or *: R15 = 0, else 4.
*
CHKMODE  SR    15,15
         CLC   0(8,1),=CL8'*'
         BER   14
         CLI   0(1),C'A'
         BNE   CHKBAD
         CLC   2(6,1),BLANKS
         BNE   CHKBAD
         CLI   1(1),C' '
         BER   14
         CLI   1(1),C'1'
         BL    CHKBAD
         CLI   1(1),C'6'
         BNHR  14
CHKBAD   LA    15,4
         BR    14
*
*        MATCH: pattern at R1 against name at R2 (8 bytes each); a *
*        matches the rest. R15 = 0 match, 4 not.
*
MATCH    LA    0,8
MATCH1   CLI   0(1),C'*'
         BE    MATCHY
         CLC   0(1,1),0(2)
         BNE   MATCHN
         LA    1,1(,1)
         LA    2,1(,2)
         BCT   0,MATCH1
MATCHY   SR    15,15
         BR    14
MATCHN   LA    15,4
         BR    14
*
*        LOOKUP: WKFN/WKFT in the directory; R9 = entry or 0.
*
LOOKUP   L     9,=A(DIRBUF+64)
         LA    0,63
LOOKUP1  CLI   19(9),X'80'
         BNE   LOOKUP2
         CLC   0(16,9),WKFN
         BER   14
LOOKUP2  LA    9,64(,9)
         BCT   0,LOOKUP1
         SR    9,9
         BR    14
*
*        COUNTDIR: R5 = files, R6 = blocks used (allocation map).
*
COUNTDIR SR    5,5
         L     9,=A(DIRBUF+64)
         LA    0,63
COUNT1   CLI   19(9),X'80'
         BNE   COUNT2
         LA    5,1(,5)
COUNT2   LA    9,64(,9)
         BCT   0,COUNT1
         SR    6,6
         L     9,=A(MAPBUF)
         L     1,=A(DIRBUF)
         L     0,16(,1)
COUNT3   CLI   0(9),0
         BE    COUNT4
         LA    6,1(,6)
COUNT4   LA    9,1(,9)
         BCT   0,COUNT3
         BR    14
*
*        FREEBLKS: mark the blocks of entry R9 free in the map.
*
FREEBLKS L     0,36(,9)
         LTR   0,0
         BZ    FREEDONE
         L     1,32(,9)
         A     1,=A(MAPBUF)
FREE1    MVI   0(1),0
         LA    1,1(,1)
         BCT   0,FREE1
FREEDONE ST    14,FRSAVE
         BAL   14,WRITEMAP
         L     14,FRSAVE
         BR    14
*
*        ALLOC: R5 contiguous free blocks (first fit); R6 = first block
*        (marked used in the map) or -1. R5 = 0 gives block 0.
*
ALLOC    SR    6,6
         LTR   5,5
         BZR   14
         L     1,=A(DIRBUF)
         L     7,16(,1)            total
         LA    6,3                 candidate start
ALLOC1   LR    1,6
         AR    1,5
         CR    1,7
         BH    ALLOCNO
         LR    1,6
         A     1,=A(MAPBUF)
         LR    0,5
ALLOC2   CLI   0(1),0
         BNE   ALLOC3
         LA    1,1(,1)
         BCT   0,ALLOC2
         LR    1,6
         A     1,=A(MAPBUF)
         LR    0,5
ALLOC4   MVI   0(1),1
         LA    1,1(,1)
         BCT   0,ALLOC4
         BR    14
ALLOC3   LA    6,1(,6)
         B     ALLOC1
ALLOCNO  L     6,=F'-1'
         BR    14
*
*        LOADFILE: the blocks of entry R9 into storage at R2.
*
LOADFILE ST    14,LFSAVE
         L     5,36(,9)
         LTR   5,5
         BZ    LOADDONE
         LR    1,5                 does the file fit below the top?
         SLL   1,12
         AR    1,2
         CL    1,STORSIZE
         BH    NOSTOR
         L     1,32(,9)
LOAD1    ST    1,BLKNO
         BAL   14,RDBLK
         L     1,BLKNO
         LA    1,1(,1)
         LA    2,4095(,2)
         LA    2,1(,2)
         BCT   5,LOAD1
LOADDONE L     14,LFSAVE
         BR    14
*
*        ACCESSA: read the directory (block 1), map (block 2) of 191.
*
ACCESSA  ST    14,ACSAVE
         MVI   ACCESSED,0
         LA    1,1
         L     2,=A(DIRBUF)
         BAL   14,RDBLK
         LTR   15,15
         BNZ   ACCFAIL
         L     2,=A(DIRBUF)
         CLC   0(8,2),=C'CMSDIR01'
         BNE   ACCFAIL
         LA    1,2
         L     2,=A(MAPBUF)
         BAL   14,RDBLK
         LTR   15,15
         BNZ   ACCFAIL
         MVI   ACCESSED,1
         L     14,ACSAVE
         BR    14
ACCFAIL  DS    0H
         LA    1,MSGACCF
         LA    0,L'MSGACCF
         BAL   14,PUTLINE
         L     14,ACSAVE
         BR    14
WRITEDIR ST    14,WDSAVE
         LA    1,1
         L     2,=A(DIRBUF)
         BAL   14,WRBLK
         L     14,WDSAVE
         BR    14
WRITEMAP ST    14,WMSAVE
         LA    1,2
         L     2,=A(MAPBUF)
         BAL   14,WRBLK
         L     14,WMSAVE
         BR    14
*
*        RDBLK / WRBLK: block R1 <-> 4096 bytes at R2 on 191. Block n
*        is record 1 of track n (cyl n/15, head n//15). R15 = DIAG rc.
*
RDBLK    MVI   DKCCW+24,X'06'
         B     DKIO
WRBLK    MVI   DKCCW+24,X'05'
DKIO     STM   0,9,DKSAVE
         SR    0,0
         D     0,=F'15'            R1 cylinder, R0 head
         STH   1,DKSEEK+2
         STH   0,DKSEEK+4
         STH   1,DKID
         STH   0,DKID+2
         MVI   DKID+4,1
         STCM  2,7,DKCCW+25
         LA    2,X'191'
         LA    3,DKCCW
         DIAG  2,3,X'018'
         LM    0,9,DKSAVE
         BR    14
*
*        PUTLINE: R1 = text, R0 = length (0 becomes one blank) on the
*        console. PUTTRIM drops trailing blanks first.
*
PUTTRIM  LTR   0,0
         BZ    PUTLINE
         LR    15,1
         AR    15,0
         BCTR  15,0
         CLI   0(15),C' '
         BNE   PUTLINE
         BCTR  0,0
         B     PUTTRIM
PUTLINE  STM   0,9,PLSAVE
         LTR   0,0
         BNZ   PUTL1
         LA    1,BLANKS
         LA    0,1
PUTL1    STCM  1,7,CONCCW+1
         MVI   CONCCW,X'09'
         STH   0,CONCCW+6
         MVI   CONCCW+4,X'20'
         BAL   9,CONIO
         LM    0,9,PLSAVE
         BR    14
*        CONIO: run CONCCW on the console, wait for its status (TSCH).
CONIO    BAL   8,CONSTART
CONIO1   L     1,CONSID
         TSCH  IRB
         BC    4,CONIO1            not yet status pending
         BR    9
*        CONSTART: SSCH CONORB; status pending (an attention the user
*        caused by typing while no READ was active) is cleared first.
CONSTART L     1,CONSID
         SSCH  CONORB
         BCR   8,8
         L     1,CONSID
         TSCH  IRB
         B     CONSTART
*
*        GETLINE: read the console into INBUF; R0 = INLEN = length.
*        CP keeps the READ active until a line is typed: CMS waits
*        enabled for the I/O interruption only (no timer), so an idle
*        CMS costs nothing. A CP that answers a READ with no line by
*        unit check, intervention required, gets the older way: wait
*        for an attention or the clock comparator (0.1 s), then retry.
*
GETLINE  STM   1,9,PLSAVE
GETL0    MVC   INBUF(130),BLANKS
         LA    1,INBUF
         STCM  1,7,CONCCW+1
         MVI   CONCCW,X'0A'
         MVC   CONCCW+6(2),=H'130'
         MVI   CONCCW+4,X'20'
         BAL   8,CONSTART
         L     1,CONSID
         TSCH  IRB
         BC    8,GETDONE           the line (or unit check) is there
GETIOW   MVI   WAITMODE,0
         STPT  TIMSAVE             the CPU timer pauses while we wait
         LPSW  IOWAIT
GETDONE  TM    IRB+8,X'02'         unit check: no line yet
         BO    GETPOLL
         TM    IRB+8,X'04'         device end: the READ is over
         BZ    GETIOW              (an attention alone: keep waiting)
         LH    0,=H'130'
         SH    0,IRB+10
         ST    0,INLEN
         LM    1,9,PLSAVE
         BR    14
GETPOLL  MVI   WAITMODE,1
         STCK  DWORK
         LM    6,7,DWORK
         AL    7,=X'186A0000'      + 0.1 s
         BC    12,GETW1
         LA    6,1(,6)
GETW1    STM   6,7,DWORK
         SCKC  DWORK
         STPT  TIMSAVE
         LPSW  WAITPSW
EXTINT   SPT   TIMSAVE
         B     GETL0
IOINT    SPT   TIMSAVE
         L     1,X'B8'             the interrupting subchannel
         TSCH  IRB
         C     1,CONSID
         BNE   IOOTHER
         CLI   WAITMODE,0
         BE    GETDONE             the READ ended
         B     GETL0               polling: an attention, read now
IOOTHER  CLI   WAITMODE,0
         BE    GETIOW
         B     GETPOLL
*
*        TOKENIZE INBUF(INLEN) into TOK1..TOK8 (8 bytes, blank padded)
*        and their offsets TOKPOS; NTOK = count.
*
TOKENIZE MVC   TOKS(64),BLANKS
         XC    TOKPOS(32),TOKPOS
         SR    8,8
         LA    4,INBUF
         L     5,INLEN
         LA    5,INBUF(5)
         LA    6,TOKS
TOKSKIP  CR    4,5
         BNL   TOKEND
         CLI   0(4),C' '
         BNE   TOKSTART
         LA    4,1(,4)
         B     TOKSKIP
TOKSTART CH    8,=H'8'
         BNL   TOKEND
         LR    1,8
         SLL   1,2
         LR    0,4
         S     0,=A(INBUF-NUCON)
         ST    0,TOKPOS(1)
         LR    7,6
         LA    3,8
TOKCHR   CR    4,5
         BNL   TOKNEXT
         CLI   0(4),C' '
         BE    TOKNEXT
         LTR   3,3
         BZ    TOKC2
         MVC   0(1,7),0(4)
         LA    7,1(,7)
         BCTR  3,0
TOKC2    LA    4,1(,4)
         B     TOKCHR
TOKNEXT  LA    8,1(,8)
         LA    6,8(,6)
         B     TOKSKIP
TOKEND   ST    8,NTOK
         LR    1,8
         SLL   1,3
         LA    1,TOKS(1)
         MVC   0(8,1),=X'FFFFFFFFFFFFFFFF'   the PLIST fence
         BR    14
*
*        CVTDEC: R1 (>= 0) in decimal at R2, R3 digits wide; R0 = 0
*        blanks leading zeros, 1 keeps them.
*
CVTDEC   STM   0,5,CVSAVE
         CVD   1,DWORK
         UNPK  ZWORK(11),DWORK+2(6)
         OI    ZWORK+10,X'F0'
         LTR   0,0
         BNZ   CVT2
         LA    4,ZWORK
         LA    5,10
CVT1     CLI   0(4),C'0'
         BNE   CVT2
         MVI   0(4),C' '
         LA    4,1(,4)
         BCT   5,CVT1
CVT2     LA    4,ZWORK+11
         SR    4,3
         BCTR  3,0
         EX    3,CVTMVC
         LM    0,5,CVSAVE
         BR    14
CVTMVC   MVC   0(0,2),0(4)
*        CENTS: R7 hundredths as n.nn at R2 (4 characters).
CENTS    ST    14,CNSAVE
         SR    6,6
         D     6,=F'100'
         LR    1,7
         LA    3,1
         LA    0,1
         BAL   14,CVTDEC
         MVI   1(2),C'.'
         LR    1,6
         LA    2,2(,2)
         LA    3,2
         BAL   14,CVTDEC
         L     14,CNSAVE
         BR    14
*        CLOCK: the time of day (UTC, from STCK) as hh:mm:ss at R2.
CLOCK    ST    14,CKSAVE
         STCK  DWORK
         LM    6,7,DWORK
         CL    6,=X'7D91048B'      on or after 1970: count from 1970
         BL    CLOCK1
         SL    7,=X'CA000000'
         BC    3,CLOCK0
         BCTR  6,0
CLOCK0   SL    6,=X'7D91048B'
CLOCK1   SRDL  6,12
         D     6,=F'1000000'       R7 seconds
         SR    6,6
         D     6,=F'86400'         R6 seconds of the day
         LR    7,6
         SR    6,6
         D     6,=F'3600'
         LR    1,7
         LA    3,2
         LA    0,1
         BAL   14,CVTDEC
         MVI   2(2),C':'
         LR    7,6
         SR    6,6
         D     6,=F'60'
         LR    1,7
         LA    2,3(,2)
         BAL   14,CVTDEC
         MVI   2(2),C':'
         LR    1,6
         LA    2,3(,2)
         BAL   14,CVTDEC
         L     14,CKSAVE
         BR    14
*
*        Commands: name (8), routine.
*
         DS    0F
CMDTAB   DC    CL8'LISTFILE',A(LISTCMD)
         DC    CL8'LISTF',A(LISTCMD)
         DC    CL8'L',A(LISTCMD)
         DC    CL8'TYPE',A(TYPECMD)
         DC    CL8'T',A(TYPECMD)
         DC    CL8'ERASE',A(ERASECMD)
         DC    CL8'RENAME',A(RENCMD)
         DC    CL8'COPYFILE',A(COPYCMD)
         DC    CL8'COPY',A(COPYCMD)
         DC    CL8'QUERY',A(QRYCMD)
         DC    CL8'Q',A(QRYCMD)
         DC    CL8'ACCESS',A(ACCCMD)
         DC    CL8'ACC',A(ACCCMD)
         DC    CL8'#CP',A(CPCMD)
         DC    CL8'CP',A(CPCMD)
         DC    X'FF'
*
         DS    0D
EXTNEW   DC    X'00080000',A(X'80000000'+EXTINT)
IONEW    DC    X'00080000',A(X'80000000'+IOINT)
SVCNEW   DC    X'00080000',A(X'80000000'+SVCINT)
PGMNEW   DC    X'00080000',A(X'80000000'+PGMINT)
WAITPSW  DC    X'030A0000',X'80000000'
IOWAIT   DC    X'020A0000',X'80000000'
*        NUCTMPL: the initial contents of NUCON's ORB and CCWs, copied
*        at IPL (same layout as CONORB ... DKCCW below).
         DS    0D
NUCTMPL  DC    F'9',X'00008000',A(CONCCW-NUCON)
         DC    F'0'
         DC    X'09000000',X'20000001'
         DC    X'07',AL3(DKSEEK-NUCON),X'40',X'00',AL2(6)
         DC    X'31',AL3(DKID-NUCON),X'40',X'00',AL2(5)
         DC    X'08',AL3(DKCCW+8-NUCON),X'00',X'00',AL2(0)
         DC    X'06',AL3(0),X'20',X'00',AL2(4096)
NUCTLEN  EQU   *-NUCTMPL
BANNER   DC    C'CMS VERSION 1.0 STRACHEY'
MSGUNK   DC    C'Unknown CP/CMS command'
MSGNOF   DC    C'DMSLST002E File not found'
MSGNACC  DC    C'DMSACC003E A-disk (191) not accessed'
MSGACCF  DC    C'DMSACC112S A-disk (191) not a CMS disk'
MSGACCB  DC    C'DMSACC048E Only ACCESS 191 A is supported'
MSGARGS  DC    C'DMSxxx054E Incomplete fileid specified'
MSGABN   DC    C'DMSABN148T SYSTEM ABEND xxx CALLED FROM'
HEXTAB   DC    C'0123456789ABCDEF'
MSGFULL  DC    C'DMSxxx105S Disk A (191) is full'
MSGSTOR  DC    C'DMSxxx109S Virtual storage capacity exceeded'
QDHEAD   DC    C'LABEL  VDEV M  STAT   CYL TYPE BLKSIZE  FILES'
         DC    C'  BLKS USED-(%) BLKS LEFT  BLK TOTAL'
QDLEN    EQU   *-QDHEAD
BLANKS   DC    CL130' '
*        Buffers above the nucleus, low enough that CMS runs in 128K:
*        a MODULE at X'20000' needs 192K or more (DMSxxx109S below).
DIRBUF   EQU   X'4000'
MAPBUF   EQU   X'5000'
FILEBUF  EQU   X'6000'
LOADAT   EQU   X'20000'
*
*        NUCON: CMS's writable storage, in the user's page 0 above the
*        architected low core (base register 0). Nothing in the nucleus
*        above is ever stored into.
*
NUCON    DSECT
         DS    XL512
TYPSAVE  DS    16F                 X'200' TYPLIN's register save
BASES    DS    3F                  X'240' the nucleus base registers
STORSIZE DS    F
CONORB   DS    3F                  (NUCTMPL: ORB, CONCCW, DKCCW)
         DS    F
CONCCW   DS    D
DKCCW    DS    4D
DWORK    DS    D
TIMSAVE  DS    D
HEXW     DS    XL5
HEXO     DS    CL9
DKSEEK   DS    XL6
DKID     DS    XL5
         DS    0F
CONSID   DS    F
INLEN    DS    F
NTOK     DS    F
LASTRC   DS    F
BLKNO    DS    F
SRCENT   DS    F
DSTENT   DS    F
RUNSAVE  DS    F
FASAVE   DS    F
TGSAVE   DS    F
FRSAVE   DS    F
LFSAVE   DS    F
ACSAVE   DS    F
WDSAVE   DS    F
WMSAVE   DS    F
CNSAVE   DS    F
CKSAVE   DS    F
TOKPOS   DS    8F
PLSAVE   DS    10F
DKSAVE   DS    10F
CVSAVE   DS    6F
ACCESSED DS    X
WAITMODE DS    X
ZWORK    DS    CL11
PATFN    DS    CL8
PATFT    DS    CL8
WKFN     DS    CL8
WKFT     DS    CL8
NEWFN    DS    CL8
NEWFT    DS    CL8
TOKS     DS    0CL72
TOK1     DS    CL8
TOK2     DS    CL8
TOK3     DS    CL8
TOK4     DS    CL8
TOK5     DS    CL8
TOK6     DS    CL8
TOK7     DS    CL8
TOK8     DS    CL8
         DS    CL8
         DS    0F                  SCHIB and IRB are word aligned
SCHIB    DS    XL52
IRB      DS    XL64
INBUF    DS    CL130
LINE     DS    CL130
NUCEND   EQU   *
CMS      CSECT
         END   CMSINIT
