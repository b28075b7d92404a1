namespace archway::controller {}
