       01  BIN-REC.
           05  B2   PIC S9(4) COMP.
           05  B4   PIC S9(9) BINARY.
           05  B8   PIC S9(16)V99 COMP-5.
           05  B16  PIC S9(36)V99 COMP.
           05  U16  PIC 9(38) COMP.
